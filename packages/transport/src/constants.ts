/**
 * Default largest datagram Volley sends: 1200 bytes fits any path without fragmentation
 * (QUIC's floor, RFC 9000 §14; DNS Flag Day 2020 uses 1232). Raise it on a LAN you control.
 */
export const DEFAULT_MAX_DATAGRAM_BYTES = 1200;

/** Largest UDP payload IPv4 can carry: 65 535 − 20 (IP) − 8 (UDP) (RFC 8085 §1; Node dgram docs). */
export const MAX_UDP_PAYLOAD_BYTES = 65_507;

/**
 * Anti-amplification (RFC 9000 §8): to a UDP source that has not proved it receives at its
 * address, a server sends at most this many times the bytes of the datagram it answers, over
 * every reply path (each datagram's channel holds the budget and `send` enforces it).
 */
export const UNVALIDATED_REPLY_FACTOR = 3;

/**
 * Kernel receive buffer asked for on UDP sockets. Loopback bursts of 64+ calls overflow Linux's
 * ~208 KiB default and drop silently; 4 MiB absorbs them (the kernel caps it at rmem_max).
 */
export const DEFAULT_UDP_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/** Kernel send buffer asked for on UDP sockets, for the same bursts going out. */
export const DEFAULT_UDP_SEND_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * A frame begun but not completed within this long closes the connection: the slowloris guard.
 * 30 s lets a 4 MiB frame (the default limit) through at ~1.1 Mbit/s while a drip-feeding peer holds a socket for
 * 30 s at most (nginx's client_body_timeout is 60 s between reads; ours is per frame).
 */
export const DEFAULT_PARTIAL_FRAME_TIMEOUT_MS = 30_000;

/**
 * A TLS connection that has not finished its handshake this long after it arrived is destroyed,
 * freeing its `maxConnections` slot. A real handshake takes one or two round trips (well under a
 * second even between continents), so 10 s is ample for a slow link or a loaded server; Node's own
 * default, 120 s, let 50 silent TCP connections hold a `maxConnections: 50` listener for two
 * minutes at a time (issue 13, item 7).
 */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * A server connection silent both ways this long, with no call running, is closed. Clients ping
 * only connections with calls waiting (after 10 s of silence), so an idle client connection is
 * reclaimed after 5 min and reopened on its next call.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

/**
 * Memory datagram networks: the longest a reordered datagram or a duplicate copy is held back,
 * ms. 20 ms is past a loopback round trip and well under the client's 50 ms RTO floor, so a
 * reordered datagram is overtaken without always drawing a retransmission.
 */
export const DEFAULT_FAULT_DELAY_MS = 20;
