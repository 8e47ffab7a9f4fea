import { Packr } from 'msgpackr';

/**
 * The raw baselines' protocol: the least a request/reply echo can do over msgpack. Deliberately
 * independent of Volley's wire package, so a change there cannot move the floor it is measured
 * against.
 *
 * ```
 *  request  [id: uint32, op: RAW_OP, body]      op 0: body {a, b} → reply body {sum}
 *  reply    [id: uint32, body]                  op 1: body {message} → reply body {message}
 * ```
 *
 * Over TCP each message is a frame (4-byte big-endian length, then the msgpack bytes); over UDP
 * one message is one datagram. No metadata, no validation, no deadlines: a floor, not a rival.
 */
export const RAW_OP = { add: 0, echo: 1 } as const;
export type RawOp = (typeof RAW_OP)[keyof typeof RAW_OP];

/** A decoded raw request. */
export type RawRequest = [id: number, op: RawOp, body: unknown];
/** A decoded raw reply. */
export type RawReply = [id: number, body: unknown];

/** Kernel socket buffers asked for, as Volley asks for (DEFAULT_UDP_RECV_BUFFER_BYTES), so neither side drops more for lack of them. */
export const RAW_UDP_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** Same msgpackr settings as Volley's codec where they matter for speed: plain maps, no records. */
export function createRawPackr(): Packr {
  return new Packr({ useRecords: false, mapsAsObjects: true });
}

/** The raw server's whole "router": add or echo. */
export function answerRaw(op: number, body: unknown): unknown {
  if (op === RAW_OP.add) {
    const { a, b } = body as { a: number; b: number };
    return { sum: a + b };
  }
  return { message: (body as { message: string }).message };
}
