import { KIND } from './envelope.js';
import { readU16, readU32 } from './structure-scan.js';

/** The start of a request envelope, read from its bytes before anything is decoded. */
export interface RequestHead {
  readonly id: number;
  /** The method, or undefined when only the msgid was asked for. */
  readonly method: string | undefined;
  /** Offset of the params array (when the method was read). */
  readonly paramsAt: number;
}

const utf8 = new TextDecoder();

/**
 * Reads `[0, msgid, method, …` from the bytes of a request: enough to address a reply to a
 * message refused before decoding (a decode-limit or input-size refusal keeps the caller's msgid)
 * and to find the method's input limit. Returns undefined for anything else (another kind, a
 * msgid that is not a uint32, a method that is not a str); the full decode then judges it.
 * Used off the hot path only: it allocates the method string.
 */
export function readRequestHead(bytes: Uint8Array, withMethod: boolean): RequestHead | undefined {
  let at: number;
  const first = bytes[0];
  if (first === 0x94 || first === 0x95) at = 1;
  else if (first === 0xdc && bytes[1] === 0 && (bytes[2] === 4 || bytes[2] === 5)) at = 3;
  else return undefined;
  if (bytes[at] !== KIND.request) return undefined;
  at++;
  const tag = bytes[at] as number;
  let id: number;
  if (tag < 0x80) {
    id = tag;
    at += 1;
  } else if (tag === 0xcc || tag === 0xd0) {
    id = bytes[at + 1] as number;
    if (tag === 0xd0 && id > 0x7f) return undefined;
    at += 2;
  } else if (tag === 0xcd || tag === 0xd1) {
    id = readU16(bytes, at + 1);
    if (tag === 0xd1 && id > 0x7fff) return undefined;
    at += 3;
  } else if (tag === 0xce || tag === 0xd2) {
    id = readU32(bytes, at + 1);
    if (tag === 0xd2 && id > 0x7fff_ffff) return undefined;
    at += 5;
  } else if (tag === 0xcf || tag === 0xd3) {
    // 64-bit forms of a uint32: the high half must be zero.
    if (readU32(bytes, at + 1) !== 0) return undefined;
    id = readU32(bytes, at + 5);
    at += 9;
  } else return undefined;
  if (at > bytes.length) return undefined;
  if (!withMethod) return { id, method: undefined, paramsAt: -1 };
  const strTag = bytes[at] as number;
  let length: number;
  if (strTag >= 0xa0 && strTag < 0xc0) {
    length = strTag & 0x1f;
    at += 1;
  } else if (strTag === 0xd9) {
    length = bytes[at + 1] as number;
    at += 2;
  } else if (strTag === 0xda) {
    length = readU16(bytes, at + 1);
    at += 3;
  } else if (strTag === 0xdb) {
    length = readU32(bytes, at + 1);
    at += 5;
  } else return undefined;
  if (at + length >= bytes.length) return undefined;
  return { id, method: readMethod(bytes, at, at + length), paramsAt: at + length };
}

/** Longest method name decoded in JavaScript; longer ones go through TextDecoder. */
const MAX_JS_DECODED_CHARS = 64;

/**
 * Method names are short ASCII: built here in JavaScript, which is ~4× faster than a TextDecoder
 * call for them (its fixed cost crossing into C++ was ~250 of the ~350 ns this check first added
 * to a 4 KiB echo request). Anything else goes through TextDecoder.
 */
function readMethod(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= MAX_JS_DECODED_CHARS) {
    let text = '';
    for (let i = start; i < end; i++) {
      const byte = bytes[i] as number;
      if (byte >= 0x80) return utf8.decode(bytes.subarray(start, end));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return utf8.decode(bytes.subarray(start, end));
}
