/** Bytes in a stream frame header: one big-endian uint32 length, as ONC RPC record marking (RFC 5531 §11) without the last-fragment bit. */
export const FRAME_HEADER_BYTES = 4;

/**
 * Default largest stream frame payload. 16 MiB is gRPC's and NATS' order of magnitude for a single
 * message: big enough for any sane RPC payload, small enough that a forged length cannot make a
 * server allocate gigabytes. Checked before any allocation.
 */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Message ids are MessagePack-RPC `uint32` and wrap around. */
export const MAX_MSGID = 0xffff_ffff;

/** Length of an address cookie (`ck`): 4-byte timestamp + 12 bytes of HMAC. */
export const COOKIE_BYTES = 16;

/** Longest key id and audience a signed envelope may carry, in characters. */
export const MAX_SIGNING_NAME_CHARS = 255;
