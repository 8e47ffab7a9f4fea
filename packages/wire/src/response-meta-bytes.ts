import type { ResponseMeta } from './envelope.js';

/** MessagePack fixarray of 4 elements: a response without metadata. */
export const FIXARRAY_4 = 0x94;

/**
 * Bump allocator for the buffers {@link appendResponseMetaBytes} returns. `Buffer.allocUnsafe`
 * serves only requests under 4 KiB from Node's shared pool; anything larger gets an ArrayBuffer
 * of its own, which costs about 1 µs: more than encoding a 4 KiB reply. Carving replies out of
 * 128 KiB slabs took `appendResponseMeta` on a 4 KiB reply from 2.04 to 0.67 µs (micro-benchmark,
 * Node 20); end to end it is inside the bench's run-to-run noise. A slab is never written twice:
 * a full one is left to the views still using it (a send the kernel could not take at once) and
 * the garbage collector.
 */
const REPLY_SLAB_BYTES = 128 * 1024;
let replySlab: Buffer | undefined;
let replySlabUsed = 0;

function allocReply(size: number): Buffer {
  if (size > REPLY_SLAB_BYTES / 4) return Buffer.allocUnsafe(size);
  if (replySlab === undefined || replySlabUsed + size > REPLY_SLAB_BYTES) {
    replySlab = Buffer.allocUnsafeSlow(REPLY_SLAB_BYTES);
    replySlabUsed = 0;
  }
  const out = replySlab.subarray(replySlabUsed, replySlabUsed + size);
  // Keep 8-byte alignment, as Node's own pool does.
  replySlabUsed = (replySlabUsed + size + 7) & ~7;
  return out;
}

/** Bytes of a uint32 in MessagePack's shortest form, as msgpackr writes it. */
function uintBytes(value: number): number {
  return value < 0x80 ? 1 : value < 0x100 ? 2 : value < 0x10000 ? 3 : 5;
}

/** Writes `value` in `bytes` bytes (from {@link uintBytes}) at `at`; returns the offset after it. */
function writeUint(out: Buffer, at: number, value: number, bytes: number): number {
  if (bytes === 1) out[at++] = value;
  else if (bytes === 2) {
    out[at++] = 0xcc;
    out[at++] = value;
  } else if (bytes === 3) {
    out[at++] = 0xcd;
    out[at++] = value >>> 8;
    out[at++] = value;
  } else {
    // By hand: Buffer#writeUInt32BE's argument checks cost more than the four stores.
    out[at++] = 0xce;
    out[at++] = value >>> 24;
    out[at++] = value >>> 16;
    out[at++] = value >>> 8;
    out[at++] = value;
  }
  return at;
}

/**
 * Writes `[...response, meta]` by hand: this runs for every UDP reply, and building a map object
 * for msgpackr plus a second copy cost three times the body's own encoding. The bytes are exactly
 * what the codec's `toResponseMetaMap` + msgpackr give (a test compares them): fixmap, keys in the order
 * `a`, `c`, `i`, `ck`, `tc`, shortest uint for `a` and `i`, bin8 for `c` and `ck`.
 */
export function appendResponseMetaBytes(response: Buffer, meta: ResponseMeta): Buffer {
  const { attempt, clientId, incarnation, cookie, truncated } = meta;
  const attemptBytes = attempt === undefined ? 0 : uintBytes(attempt);
  const incarnationBytes = incarnation === undefined ? 0 : uintBytes(incarnation);
  const size =
    1 +
    (attempt === undefined ? 0 : 2 + attemptBytes) +
    (clientId === undefined ? 0 : 4 + clientId.length) +
    (incarnation === undefined ? 0 : 2 + incarnationBytes) +
    (cookie === undefined ? 0 : 5 + cookie.length) +
    (truncated ? 4 : 0);
  const out = allocReply(response.length + size);
  // TypedArray#set is a plain memcpy; Buffer#copy's argument handling cost more than the copy
  // of a small reply.
  out.set(response, 0);
  out[0] = FIXARRAY_4 + 1;
  let at = response.length;
  out[at++] =
    0x80 |
    ((attempt === undefined ? 0 : 1) +
      (clientId === undefined ? 0 : 1) +
      (incarnation === undefined ? 0 : 1) +
      (cookie === undefined ? 0 : 1) +
      (truncated ? 1 : 0));
  if (attempt !== undefined) {
    out[at++] = 0xa1;
    out[at++] = 0x61; // "a"
    at = writeUint(out, at, attempt, attemptBytes);
  }
  if (clientId !== undefined) {
    out[at++] = 0xa1;
    out[at++] = 0x63; // "c"
    out[at++] = 0xc4;
    out[at++] = clientId.length;
    out.set(clientId, at);
    at += clientId.length;
  }
  if (incarnation !== undefined) {
    out[at++] = 0xa1;
    out[at++] = 0x69; // "i"
    at = writeUint(out, at, incarnation, incarnationBytes);
  }
  if (cookie !== undefined) {
    out[at++] = 0xa2;
    out[at++] = 0x63; // "c"
    out[at++] = 0x6b; // "k"
    out[at++] = 0xc4;
    out[at++] = cookie.length;
    out.set(cookie, at);
    at += cookie.length;
  }
  if (truncated) {
    out[at++] = 0xa2;
    out[at++] = 0x74; // "t"
    out[at++] = 0x63; // "c"
    out[at++] = 0xc3; // true
  }
  return out;
}
