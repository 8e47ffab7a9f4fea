import { Packr } from 'msgpackr';

/**
 * Hand-encoded requests for the load clients of the scale suite: thousands of connections and
 * 100 000 client ids are cheaper as bytes written straight to sockets than as that many clients.
 *
 * ```
 *  Volley frame     [len u32be][ [0, msgid, "add", [{a, b}]] ]                       docs/protocol.md §2.1, §5.1
 *  raw frame        [len u32be][ [msgid, 0, {a, b}] ]                                raw-protocol.ts
 *  Volley datagram  [0, msgid, proc, [{a, b}], {c: bin 8, a: attempt, d: ms}]        §2.4, §5.3
 * ```
 */
export type StreamProtocol = 'volley' | 'raw';

/** Plain MessagePack as Volley writes it: no records, objects as maps (docs/protocol.md §4). */
const packr = new Packr({ useRecords: false, mapsAsObjects: true });
const ADD_INPUT = { a: 1, b: 2 } as const;
const ADD_SUM = 3;
/** Raw baseline op for `add` (RAW_OP.add), kept here so the load client needs no raw module. */
const RAW_OP_ADD = 0;
const FRAME_HEADER_BYTES = 4;

/** One length-prefixed `add(1, 2)` request in the given protocol. */
export function encodeAddFrame(protocol: StreamProtocol, msgid: number): Buffer {
  const payload = packr.pack(protocol === 'volley' ? [0, msgid, 'add', [ADD_INPUT]] : [msgid, RAW_OP_ADD, ADD_INPUT]);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * The first whole frame's payload in `bytes`, or undefined while it is incomplete. The load
 * clients wait for exactly one reply per connection, so no general decoder is needed.
 */
export function firstFrame(bytes: Buffer): Buffer | undefined {
  if (bytes.length < FRAME_HEADER_BYTES) return undefined;
  const end = FRAME_HEADER_BYTES + bytes.readUInt32BE(0);
  return bytes.length < end ? undefined : bytes.subarray(FRAME_HEADER_BYTES, end);
}

/** True when `payload` is the successful answer to {@link encodeAddFrame}'s request `msgid`. */
export function isAddReply(protocol: StreamProtocol, payload: Buffer, msgid: number): boolean {
  const reply = packr.unpack(payload) as unknown[];
  if (protocol === 'raw') return reply[0] === msgid && (reply[1] as { sum?: number } | undefined)?.sum === ADD_SUM;
  return (
    reply[0] === 1 &&
    reply[1] === msgid &&
    reply[2] == null &&
    (reply[3] as { sum?: number } | undefined)?.sum === ADD_SUM
  );
}

/** An `add(1, 2)`-shaped UDP request from the client `clientId` (8 bytes), as the Volley client sends one. */
export function encodeAddDatagram(
  procedure: string,
  msgid: number,
  clientId: Buffer,
  attempt: number,
  deadlineMs: number,
): Buffer {
  return packr.pack([0, msgid, procedure, [ADD_INPUT], { c: clientId, a: attempt, d: deadlineMs }]);
}

/** What a UDP reply says: its msgid, and the error code when it is an error. */
export function readDatagramReply(
  datagram: Buffer,
): { msgid: number; errorCode: string | undefined; sum: number | undefined } | undefined {
  const reply = packr.unpack(datagram) as unknown[];
  if (reply[0] !== 1 || typeof reply[1] !== 'number') return undefined;
  const error = reply[2] as { code?: string } | null;
  return {
    msgid: reply[1],
    errorCode: error == null ? undefined : String(error.code),
    sum: (reply[3] as { sum?: number } | null)?.sum,
  };
}
