/** Per-call options, the last argument of every procedure call. */
export interface CallOptions {
  /** Give up after this many milliseconds; sent to the server as the call's deadline. */
  timeoutMs?: number;
  /** Aborting cancels the call: it rejects with `CANCELLED` and the server's handler signal fires. */
  signal?: AbortSignal;
  /** Opaque trace context (for example a W3C `traceparent`), sent in the request metadata. */
  trace?: string;
}

/** Counters a client keeps. */
export interface ClientStats {
  calls: number;
  /** Datagrams resent because no reply came in time (UDP). */
  retransmits: number;
  /** Calls that ended with a local `DEADLINE_EXCEEDED`. */
  timeouts: number;
  cancelled: number;
  /** Replies for no pending call (late, duplicated or foreign), dropped. */
  unmatchedReplies: number;
  /** Messages from the server that could not be decoded. */
  malformedReplies: number;
}
