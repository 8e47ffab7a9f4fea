/**
 * Default largest datagram Volley sends: 1200 bytes fits any path without fragmentation
 * (QUIC's floor, RFC 9000 §14; DNS Flag Day 2020 uses 1232). Raise it on a LAN you control.
 */
export const DEFAULT_MAX_DATAGRAM_BYTES = 1200;

/** Largest UDP payload IPv4 can carry: 65 535 − 20 (IP) − 8 (UDP) (RFC 8085 §1; Node dgram docs). */
export const MAX_UDP_PAYLOAD_BYTES = 65_507;

/**
 * Kernel receive buffer asked for on UDP sockets. Loopback bursts of 64+ calls overflow Linux's
 * ~208 KiB default and drop silently; 4 MiB absorbs them (the kernel caps it at rmem_max).
 */
export const DEFAULT_UDP_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/** Kernel send buffer asked for on UDP sockets, for the same bursts going out. */
export const DEFAULT_UDP_SEND_BUFFER_BYTES = 4 * 1024 * 1024;
