/**
 * How long `close()` lets in-flight calls finish before aborting them. 5 s is short enough for a
 * rolling deploy (Kubernetes' default termination grace is 30 s) and long enough for ordinary calls.
 */
export const DEFAULT_CLOSE_GRACE_MS = 5_000;

/**
 * Anti-amplification (RFC 9000 §8): to an address that has not proved it can receive, answer
 * an undecodable datagram with at most this many times the bytes it sent.
 */
export const UNVALIDATED_REPLY_FACTOR = 3;

/** Longest delay `setTimeout` honours (2^31-1 ms, about 24.8 days); Node turns longer ones into 1 ms. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;
