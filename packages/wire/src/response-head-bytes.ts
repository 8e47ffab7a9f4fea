import { KIND } from './envelope.js';
import { FIXARRAY_4 } from './response-meta-bytes.js';

const NIL = 0xc0;

/** Bytes of `[1, id, nil` (fixarray 4, kind, the shortest uint or nil, nil), as msgpackr writes them. */
export function responseHeadBytes(id: number | null): number {
  if (id === null || id < 0x80) return 4;
  return id < 0x100 ? 5 : id < 0x10000 ? 6 : 8;
}

/**
 * Writes the head of a response without metadata into the first {@link responseHeadBytes} bytes:
 *
 * ```
 *  94 01 <id: 00-7f | cc xx | cd xxxx | ce xxxxxxxx | c0 (nil)> c0 <result…>
 * ```
 */
export function writeResponseHead(out: Buffer, id: number | null): void {
  out[0] = FIXARRAY_4;
  out[1] = KIND.response;
  let at = 2;
  if (id === null) out[at++] = NIL;
  else if (id < 0x80) out[at++] = id;
  else if (id < 0x100) {
    out[at++] = 0xcc;
    out[at++] = id;
  } else if (id < 0x10000) {
    out[at++] = 0xcd;
    out.writeUInt16BE(id, at);
    at += 2;
  } else {
    out[at++] = 0xce;
    out.writeUInt32BE(id, at);
    at += 4;
  }
  out[at] = NIL;
}
