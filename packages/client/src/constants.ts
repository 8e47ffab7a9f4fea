/**
 * Default per-call timeout. gRPC sets none and callers hang forever when a peer black-holes;
 * 10 s is long for a LAN service yet short enough that a forgotten timeout surfaces as an error.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * First UDP retransmission. A LAN round trip is well under 1 ms, so 250 ms leaves handlers time
 * to answer before we resend; RFC 8085 §3.1.3 suggests ~500 ms as a conservative fixed timer
 * where no RTT estimate exists. Issue #3 replaces this with an adaptive RTO.
 */
export const UDP_FIRST_RETRANSMIT_MS = 250;

/** Each retransmission waits twice as long as the previous one (RFC 6298 §5.5, CoAP §4.2). */
export const UDP_BACKOFF_FACTOR = 2;

/** At most this many retransmissions per call (CoAP's MAX_RETRANSMIT is 4), within the deadline. */
export const UDP_MAX_RETRANSMITS = 4;

/** Give up opening a TCP/Unix connection after this long, so a black-holed SYN fails fast. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
