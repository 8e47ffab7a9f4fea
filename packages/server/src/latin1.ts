/**
 * The bytes as latin1 chars, the same string as `Buffer#toString('latin1')`. For a client id's 8
 * bytes, one `String.fromCharCode` call: building the key and looking it up took 85 ns instead of
 * 230 ns (no Buffer view, no call into C++), about 8% of the in-process UDP `add` call.
 */
export function latin1(bytes: Uint8Array): string {
  if (bytes.length !== 8) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return String.fromCharCode(bytes[0] as number, bytes[1] as number, bytes[2] as number, bytes[3] as number, bytes[4] as number, bytes[5] as number, bytes[6] as number, bytes[7] as number);
}
