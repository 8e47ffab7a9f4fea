import { DEFAULT_BASE_OBJECTS, DEFAULT_BYTES_PER_OBJECT, DEFAULT_MAX_DECODE_DEPTH } from './constants.js';
import { type DecodeFailure, readRequestMeta } from './envelope-reader.js';
import { readRequestHead } from './request-head.js';
import { RpcError } from './rpc-error.js';
import { type DecodeLimits, StructureScanner } from './structure-scan.js';

export type { DecodeLimits } from './structure-scan.js';

/**
 * The server's methods and their caps on a request's encoded input (`procedure.maxInputBytes(n)`),
 * from its router; wire knows no router, only this lookup.
 */
export interface InputLimits {
  /** The smallest cap of any method (Infinity if none has one): no smaller message can exceed one. */
  readonly smallestBytes: number;
  /**
   * The method's cap in bytes of encoded input, Infinity when it has none, or undefined when there
   * is no such method: a large request for it is then refused with NOT_FOUND before decoding.
   */
  limitOf(method: string): number | undefined;
}

/** What the codec runs on a message before decoding it. */
export interface MessageGuard {
  /** Messages of at most this many bytes cannot exceed any cap and need no check. */
  readonly minBytes: number;
  /** A refusal, or undefined when the message may be decoded. */
  check(bytes: Uint8Array): DecodeFailure | undefined;
}

/**
 * Above this size a request's method is looked up before it is decoded, and a request to a method
 * the server lacks is refused unread. Below it, decoding costs at most ~13 ms even for the costliest
 * shape the decode limits accept (distinct map keys: ~0.8 s per 4 MiB, measured), while the lookup
 * (~150 ns: the method's string and a Map lookup) would be paid by every mid-sized request (it was
 * +200 ns on a 4 KiB echo request when done from 1 KiB). Also every UDP datagram is below it.
 */
const METHOD_CHECK_ABOVE_BYTES = 64 * 1024;

/** Caps no message reaches: the input-size check still needs a scanner to find the params' end. */
const UNLIMITED: DecodeLimits = {
  maxDepth: Number.POSITIVE_INFINITY,
  baseObjects: Number.POSITIVE_INFINITY,
  bytesPerObject: 1,
};

/**
 * Checks a message against the decode limits and the input limits, from its bytes alone:
 *
 * 1. The structure scan (structure-scan.ts) over the whole message, if it is larger than
 *    `baseObjects` bytes (1 KiB by default; below that it cannot exceed the object cap, and the
 *    depth cap is not checked either, see `scanAbove`). It also refuses trailing
 *    bytes without decoding: msgpackr would decode the whole value first, then quote it in its
 *    error as JSON (measured: 2.2 s and 575 MiB for 4 MiB of empty binaries plus one byte).
 * 2. The method, if the message is larger than the smallest input limit or than 64 KiB: read from
 *    the head, it is refused with NOT_FOUND if unknown (so a large message reaches msgpackr only
 *    for a method that exists), and its params are scanned only if the rest of the message could
 *    exceed its input limit.
 *
 * A refusal keeps the request's msgid when its head is readable, so the caller's call fails with
 * the reason instead of timing out; an input-size refusal also carries the request's metadata (a
 * UDP reply must echo the client id).
 */
export function createMessageGuard(
  limits: Partial<DecodeLimits> | false | undefined,
  inputLimits: InputLimits | undefined,
  unpack: (bytes: Uint8Array) => unknown,
): MessageGuard {
  const caps: DecodeLimits | undefined =
    limits === false
      ? undefined
      : {
          maxDepth: limits?.maxDepth ?? DEFAULT_MAX_DECODE_DEPTH,
          baseObjects: limits?.baseObjects ?? DEFAULT_BASE_OBJECTS,
          bytesPerObject: limits?.bytesPerObject ?? DEFAULT_BYTES_PER_OBJECT,
        };
  const scanner = new StructureScanner(caps ?? UNLIMITED);
  /** Finds where a refused datagram's params end, to read its metadata; made on first use. */
  let metaFinder: StructureScanner | undefined;
  // A message of n bytes holds at most n objects, so none up to `baseObjects` bytes can exceed
  // the object cap. Such messages skip the scan, depth included: it costs ~5 ns per header,
  // ~12 % of decoding a 552-byte array of records (bench/src/micro), and a message of 1 KiB nests
  // at most 1024 levels, which msgpackr decodes without exhausting its stack (it needs ~10 000).
  const scanAbove = caps === undefined ? Number.POSITIVE_INFINITY : caps.baseObjects;
  const inputAbove =
    inputLimits === undefined
      ? Number.POSITIVE_INFINITY
      : Math.min(inputLimits.smallestBytes, METHOD_CHECK_ABOVE_BYTES);

  function scanWhole(bytes: Uint8Array): DecodeFailure | undefined {
    const end = scanner.scan(bytes, 0, bytes.length, bytes.length);
    if (end === bytes.length) return undefined;
    if (typeof end === 'number') return malformed(`${bytes.length - end} trailing bytes after the message`);
    if (end === 'malformed') return malformed(scanner.reason);
    const id = readRequestHead(bytes, false)?.id;
    let error: RpcError;
    if (end === 'depth') {
      error = new RpcError('BAD_REQUEST', `Message nests deeper than ${scanner.cap} levels of maps and arrays`, {
        data: { maxDepth: scanner.cap },
      });
    } else {
      const { baseObjects, bytesPerObject } = caps as DecodeLimits;
      const message = `Message of ${bytes.length} bytes holds over ${scanner.cap} maps/arrays/bin/ext (cap ${baseObjects} + bytes/${bytesPerObject})`;
      error = new RpcError('PAYLOAD_TOO_LARGE', message, { data: { maxObjects: scanner.cap } });
    }
    const meta = id === undefined ? undefined : metaOfRefused(bytes);
    return meta === undefined ? { error, id } : { error, id, meta };
  }

  /**
   * The metadata of a request refused by a decode cap, so that a UDP reply can echo its client id:
   * a UDP client drops replies without it, and its call would time out instead of failing with the
   * reason. Read only from messages of datagram size (a stream reply needs no metadata, and a
   * second scan of a large frame would cost what the cap saved), by scanning past the params
   * without caps, and decoded only if the metadata alone is within the caps (the message broke a
   * cap somewhere, perhaps there).
   */
  function metaOfRefused(bytes: Uint8Array) {
    if (bytes.length > METHOD_CHECK_ABOVE_BYTES || caps === undefined) return undefined;
    const head = readRequestHead(bytes, true);
    if (head === undefined) return undefined;
    metaFinder ??= new StructureScanner(UNLIMITED);
    const paramsEnd = metaFinder.scan(bytes, head.paramsAt, bytes.length, bytes.length);
    if (typeof paramsEnd !== 'number' || paramsEnd >= bytes.length) return undefined;
    if (scanner.scan(bytes, paramsEnd, bytes.length, bytes.length - paramsEnd) !== bytes.length) return undefined;
    return readMetaQuietly(bytes.subarray(paramsEnd));
  }

  function checkInput(bytes: Uint8Array, limitsOf: InputLimits): DecodeFailure | undefined {
    const head = readRequestHead(bytes, true);
    if (head === undefined) return undefined;
    const method = head.method as string;
    const limit = limitsOf.limitOf(method);
    if (limit !== undefined && bytes.length - head.paramsAt <= limit) return undefined;
    const paramsEnd = scanner.scan(bytes, head.paramsAt, bytes.length, bytes.length);
    // Malformed or over a decode cap: the full decode reports it.
    if (typeof paramsEnd !== 'number') return undefined;
    let error: RpcError;
    if (limit === undefined) {
      // The router's own answer, without decoding an input no procedure will read.
      error = new RpcError('NOT_FOUND', `No procedure named "${method}"`, { data: { procedure: method } });
    } else {
      const inputBytes = paramsEnd - head.paramsAt - arrayHeaderBytes(bytes[head.paramsAt] as number);
      if (inputBytes <= limit) return undefined;
      error = new RpcError(
        'PAYLOAD_TOO_LARGE',
        `Input of ${inputBytes} bytes exceeds the ${limit}-byte limit of ${method}`,
        { data: { bytes: inputBytes, limit } },
      );
    }
    const meta = paramsEnd < bytes.length ? readMetaQuietly(bytes.subarray(paramsEnd)) : undefined;
    return meta === undefined ? { error, id: head.id } : { error, id: head.id, meta };
  }

  function readMetaQuietly(bytes: Uint8Array) {
    try {
      const meta = readRequestMeta(unpack(bytes));
      return typeof meta === 'object' ? meta : undefined;
    } catch {
      return undefined;
    }
  }

  return {
    minBytes: Math.min(scanAbove, inputAbove),
    check(bytes) {
      if (bytes.length > scanAbove) {
        const refused = scanWhole(bytes);
        if (refused !== undefined) return refused;
      }
      return inputLimits !== undefined && bytes.length > inputAbove ? checkInput(bytes, inputLimits) : undefined;
    },
  };
}

function malformed(reason: string): DecodeFailure {
  return { error: new RpcError('BAD_REQUEST', `Malformed MessagePack: ${reason}`), id: undefined };
}

/** Bytes of an array header: what `params` adds around the input. Anything else: 0. */
function arrayHeaderBytes(tag: number): number {
  if (tag >= 0x90 && tag <= 0x9f) return 1;
  if (tag === 0xdc) return 3;
  return tag === 0xdd ? 5 : 0;
}
