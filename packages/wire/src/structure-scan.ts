/**
 * Caps on what one message may expand into while it is decoded (issue 13 item 1). msgpackr has
 * no such limits: 4 MiB of `0x80` bytes is 4 M empty maps, about 256 MiB of heap and half a
 * second of CPU, before any router, auth or schema could look at the call.
 */
export interface DecodeLimits {
  /** Deepest nesting of maps and arrays, the envelope array being level 1. */
  readonly maxDepth: number;
  /**
   * Objects any message may hold, whatever its size. Also the size in bytes up to which messages
   * are not scanned at all (they cannot hold more objects than bytes).
   */
  readonly baseObjects: number;
  /** One more object is allowed per this many bytes of message. */
  readonly bytesPerObject: number;
}

/** Why a scan stopped before the end of its value. */
export type ScanFailure = 'depth' | 'objects' | 'malformed';

/**
 * Walks MessagePack headers without decoding anything, to refuse a message before msgpackr
 * builds it. Iterative (a hostile message cannot overflow the stack) and allocation-free per scan:
 * one array of per-level counters is kept for the scanner's life.
 *
 * ```
 *  left = values still to read in the innermost open container (the message itself at first: 1)
 *  outer[0 … level-1] = the same count for each enclosing container, saved when it was entered
 *   read a header ──▶ left-- ──▶ container with n > 0 items? ──yes──▶ outer[level++] = left; left = n
 *        ▲                                   │ no
 *        └──── while left === 0: left = outer[--level] ◀┘   (level 0 reaching 0: done)
 * ```
 *
 * Counted as **objects**: maps, arrays, binaries and extensions, the values that decode into a
 * JavaScript object (tens of bytes of heap and 50–250 ns each, measured); numbers, nil, booleans
 * and strings are not (they cost about as much heap as their bytes or less). str, bin and ext
 * payloads are skipped by their length. A container announcing more items than bytes remain
 * (every item takes at least one) is malformed at once, before msgpackr could reserve room for it.
 */
export class StructureScanner {
  readonly #limits: DecodeLimits;
  /**
   * Counts of the enclosing containers, grown on demand up to `maxDepth`: most messages nest only
   * a few levels. A count never exceeds the message's bytes (checked before it is stored), so it
   * fits 32 bits.
   */
  #outer: Uint32Array = new Uint32Array(16);
  /** After a failure: which cap (`depth`, `objects`) or what was malformed. */
  reason = '';
  /** After a failure on a cap: the cap's value for this message. */
  cap = 0;

  constructor(limits: DecodeLimits) {
    this.#limits = limits;
  }

  /** Objects a message of `bytes` bytes may hold. */
  maxObjects(bytes: number): number {
    return this.#limits.baseObjects + Math.floor(bytes / this.#limits.bytesPerObject);
  }

  /**
   * Scans the one value starting at `start`, within `bytes[start, end)`, against the caps for a
   * message of `budgetBytes`. Returns the offset just past the value, or a {@link ScanFailure}
   * with `reason` and `cap` set.
   */
  scan(bytes: Uint8Array, start: number, end: number, budgetBytes: number): number | ScanFailure {
    const maxDepth = this.#limits.maxDepth;
    const maxObjects = this.maxObjects(budgetBytes);
    let outer: Uint32Array = this.#outer;
    let objects = 0;
    let level = 0;
    let left = 1;
    let at = start;
    for (;;) {
      if (at >= end) return this.#malformed('unexpected end of data');
      const tag = bytes[at] as number;
      left--;
      let items = -1;
      if (tag < 0x80 || tag >= 0xe0)
        at += 1; // positive / negative fixint
      else if (tag < 0x90) {
        items = (tag & 0x0f) * 2;
        at += 1;
      } else if (tag < 0xa0) {
        items = tag & 0x0f;
        at += 1;
      } else if (tag < 0xc0)
        at += 1 + (tag & 0x1f); // fixstr
      else {
        switch (tag) {
          case 0xc0: // nil
          case 0xc2: // false
          case 0xc3: // true
            at += 1;
            break;
          case 0xcc:
          case 0xd0:
            at += 2;
            break;
          case 0xcd:
          case 0xd1:
            at += 3;
            break;
          case 0xca:
          case 0xce:
          case 0xd2:
            at += 5;
            break;
          case 0xcb:
          case 0xcf:
          case 0xd3:
            at += 9;
            break;
          case 0xd9: // str8
            if (at + 2 > end) return this.#malformed('unexpected end of data');
            at += 2 + (bytes[at + 1] as number);
            break;
          case 0xda: // str16
            if (at + 3 > end) return this.#malformed('unexpected end of data');
            at += 3 + readU16(bytes, at + 1);
            break;
          case 0xdb: // str32
            if (at + 5 > end) return this.#malformed('unexpected end of data');
            at += 5 + readU32(bytes, at + 1);
            break;
          case 0xc4: // bin8
            if (at + 2 > end) return this.#malformed('unexpected end of data');
            at += 2 + (bytes[at + 1] as number);
            objects++;
            break;
          case 0xc5: // bin16
            if (at + 3 > end) return this.#malformed('unexpected end of data');
            at += 3 + readU16(bytes, at + 1);
            objects++;
            break;
          case 0xc6: // bin32
            if (at + 5 > end) return this.#malformed('unexpected end of data');
            at += 5 + readU32(bytes, at + 1);
            objects++;
            break;
          case 0xd4: // fixext 1, 2, 4, 8, 16: type byte + data
          case 0xd5:
          case 0xd6:
          case 0xd7:
          case 0xd8:
            at += 2 + (1 << (tag - 0xd4));
            objects++;
            break;
          case 0xc7: // ext8: length, type, data
            if (at + 3 > end) return this.#malformed('unexpected end of data');
            at += 3 + (bytes[at + 1] as number);
            objects++;
            break;
          case 0xc8: // ext16
            if (at + 4 > end) return this.#malformed('unexpected end of data');
            at += 4 + readU16(bytes, at + 1);
            objects++;
            break;
          case 0xc9: // ext32
            if (at + 6 > end) return this.#malformed('unexpected end of data');
            at += 6 + readU32(bytes, at + 1);
            objects++;
            break;
          case 0xdc: // array16
            if (at + 3 > end) return this.#malformed('unexpected end of data');
            items = readU16(bytes, at + 1);
            at += 3;
            break;
          case 0xdd: // array32
            if (at + 5 > end) return this.#malformed('unexpected end of data');
            items = readU32(bytes, at + 1);
            at += 5;
            break;
          case 0xde: // map16
            if (at + 3 > end) return this.#malformed('unexpected end of data');
            items = readU16(bytes, at + 1) * 2;
            at += 3;
            break;
          case 0xdf: // map32
            if (at + 5 > end) return this.#malformed('unexpected end of data');
            items = readU32(bytes, at + 1) * 2;
            at += 5;
            break;
          default: // 0xc1, never used
            return this.#malformed(`byte 0x${tag.toString(16)} is not a MessagePack type`);
        }
      }
      if (items >= 0) {
        if (++objects > maxObjects) return this.#fail('objects', maxObjects);
        if (level + 1 > maxDepth) return this.#fail('depth', maxDepth);
        if (items > end - at) return this.#malformed(`a container announces ${items} items in ${end - at} bytes`);
        if (items > 0) {
          if (level === outer.length) outer = this.#grow();
          outer[level++] = left;
          left = items;
        }
      } else if (objects > maxObjects) return this.#fail('objects', maxObjects);
      while (left === 0) {
        if (level === 0) return at <= end ? at : this.#malformed('unexpected end of data');
        left = outer[--level] as number;
      }
    }
  }

  #grow(): Uint32Array {
    const grown = new Uint32Array(this.#outer.length * 2);
    grown.set(this.#outer);
    this.#outer = grown;
    return grown;
  }

  #fail(which: 'depth' | 'objects', cap: number): ScanFailure {
    this.reason = which;
    this.cap = cap;
    return which;
  }

  #malformed(reason: string): ScanFailure {
    this.reason = reason;
    this.cap = 0;
    return 'malformed';
  }
}

/** Big-endian uint16 at `at`. */
export function readU16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
}

/** Big-endian uint32 at `at` (NaN past the end). */
export function readU32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x1000000 +
    (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number))
  );
}
