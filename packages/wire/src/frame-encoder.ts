import { FRAME_HEADER_BYTES } from './constants.js';

/**
 * Returns the 4-byte big-endian length header for a payload. Kept apart from the payload so a
 * writer can gather header and payload into one write without copying the payload twice.
 */
export function encodeFrameHeader(payloadBytes: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32BE(payloadBytes, 0);
  return header;
}

/** Returns header and payload as one buffer (one copy); for tests and one-off writes. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}
