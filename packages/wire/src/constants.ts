/** Bytes in a stream frame header: one big-endian uint32 length, as ONC RPC record marking (RFC 5531 §11) without the last-fragment bit. */
export const FRAME_HEADER_BYTES = 4;

/**
 * Default largest stream frame payload: 4 MiB, gRPC's default receive limit. Checked before any
 * allocation. It was 16 MiB until issue 13: what one frame may cost grows with its size even
 * under the decode limits below (4 MiB of one map with distinct keys takes ~0.8 s of CPU to
 * decode, measured), and RPC payloads beyond a few MiB belong in a stream or a blob store.
 */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * Default deepest nesting of maps and arrays in one message, the envelope array being level 1
 * (params level 2, the input from level 3). serde_json's recursion limit is 128 and protobuf's
 * 100; deeper data is a tree someone should flatten, and handlers, validators and loggers walk
 * input recursively. Checked on messages above {@link DEFAULT_BASE_OBJECTS} bytes: a smaller one
 * nests at most 1024 levels, well within what the decoder's recursion survives.
 */
export const DEFAULT_MAX_DECODE_DEPTH = 128;

/**
 * Objects (maps, arrays, binaries, extensions) any message may hold: 1024 objects are at most
 * ~100 KiB of heap, whatever the message's size. With {@link DEFAULT_BYTES_PER_OBJECT} it makes
 * the cap `1024 + bytes / 8`. Messages of up to this many bytes cannot exceed it and are not
 * scanned at all (the depth cap applies above it only): most requests and datagrams pay nothing.
 */
export const DEFAULT_BASE_OBJECTS = 1_024;

/**
 * Bytes of message per object allowed beyond {@link DEFAULT_BASE_OBJECTS}. A decoded empty map
 * costs ~64 B of heap and ~140 ns, an array ~40 B; ordinary records (`{id, name, score, tags}`)
 * take ~19 bytes per object on the wire and decode to ~4× their size. At 8 bytes per object the
 * worst message accepted (one empty map per 8 bytes, the rest a string) decodes to ~8× its size,
 * about 2× ordinary data; the bombs (one object per byte) are refused after a scan of
 * their first eighth. Dense tiny records (`[{id: 1}, …]`, `[[x, y], …]` with small numbers) above
 * the base allowance are refused too: send them as columns or binaries, or raise the cap.
 */
export const DEFAULT_BYTES_PER_OBJECT = 8;

/** Message ids are MessagePack-RPC `uint32` and wrap around. */
export const MAX_MSGID = 0xffff_ffff;

/** Length of an address cookie (`ck`): 4-byte timestamp + 12 bytes of HMAC. */
export const COOKIE_BYTES = 16;

/** Longest key id and audience a signed envelope may carry, in characters. */
export const MAX_SIGNING_NAME_CHARS = 255;

/**
 * Bucket bounds, in milliseconds, of a server's call-duration histograms: OpenTelemetry semantic
 * conventions v1.37's advisory buckets for `rpc.server.duration` (0, 5, 10, 25, 50, 75, 100, 250,
 * 500, 750, 1000, 2500, 5000, 7500, 10000), with a 1–2.5–5 series from 1 µs to 2.5 ms below 5.
 * Why so low: the server times a call from the request's arrival to its answer, and a Volley
 * handler that does not wait on I/O takes 1–30 µs of that (measured on loopback: `echo.add` p50
 * 14 µs over UDP, 4 µs over TCP; `kv.set` 1–10 µs); a LAN round trip is 50–500 µs. With the
 * conventions' buckets alone every such call lands in the first one, and p50 and p99 say nothing.
 * The conventions' 0 is kept so an exporter's buckets stay a superset of theirs.
 */
export const DURATION_BOUNDARIES_MS: readonly number[] = Object.freeze([
  0, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500,
  5000, 7500, 10000,
]);

/**
 * Bucket bounds, in bytes, of a server's request and response size histograms: powers of two from
 * 64 B to 4 MiB ({@link DEFAULT_MAX_FRAME_BYTES}, the largest message by default). Powers of two
 * rather than of four so that 1 KiB and 2 KiB bracket the 1200-byte default datagram: how much
 * traffic comes near it (and is truncated to a TCP fetch) shows.
 */
export const SIZE_BOUNDARIES_BYTES: readonly number[] = Object.freeze(
  Array.from({ length: 17 }, (_, i) => 64 * 2 ** i),
);
