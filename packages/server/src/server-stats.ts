/**
 * Which worker of a cluster a server is (`serveCluster` sets it): `id` from 1 to `count`, the
 * same for a worker and its replacement, so logs and `$health` name a slot, not a process.
 */
export interface WorkerIdentity {
  readonly id: number;
  readonly count: number;
}

/** Counters a server keeps; plain integers so reading them costs nothing. */
export interface ServerStats {
  /** The worker these counters belong to, when the server is one of a cluster: each counts its own. */
  readonly worker?: WorkerIdentity;
  /** Requests that reached dispatch. */
  calls: number;
  /** Calls that ended in an error reply (any code). */
  failedCalls: number;
  notifications: number;
  /** Envelopes that could not be decoded (malformed MessagePack or wrong shape). */
  malformed: number;
  /** Of those, the ones that came as UDP datagrams (the rest came on streams). */
  malformedDatagrams: number;
  /** Requests whose id was already in progress (UDP retransmissions); dropped without running. */
  duplicatesDropped: number;
  cancelled: number;
  deadlineExceeded: number;
  /** Replies replaced by `PAYLOAD_TOO_LARGE`: above the frame limit, or a datagram's when they could not be kept for a fetch. */
  oversizeReplies: number;
  /** UDP replies too large for a datagram, answered truncated (the client fetches them over TCP). */
  truncatedReplies: number;
  /** Retransmissions answered from the reply cache without running the handler. */
  replyCacheHits: number;
  /** Replies dropped from the cache before expiry to stay within its caps. */
  replyCacheEvictions: number;
  /** Replies in the cache now. */
  replyCacheEntries: number;
  /** Bytes the cache holds now, as counted against its cap. */
  replyCacheBytes: number;
  /**
   * Retransmissions of non-idempotent calls first sent to another incarnation (a server process
   * before a restart), refused with UNAVAILABLE, may have executed, instead of run again.
   */
  incarnationRefused: number;
  /** Calls refused with RESOURCE_EXHAUSTED because `maxInFlight` calls were running. */
  overloadRejected: number;
  /** Replies not sent because they would have amplified an unvalidated datagram. */
  amplificationSuppressed: number;
  /** Replies above 3× the request to an unvalidated UDP source, answered with a cookie challenge. */
  cookieChallenges: number;
  /** Messages refused for a missing, unknown, stale or wrong signature, or one stamped no later than the server started. */
  signatureRejected: number;
  /** Signed messages dropped as replays (a MAC seen before) or older than the replay memory. */
  signatureReplays: number;
  /** Replies that found their connection gone. */
  repliesUndeliverable: number;
  /** Stream connections closed because of a bad frame or socket error. */
  brokenStreams: number;
  /** Goaway messages sent: one per stream connection open when the server began to drain. */
  goawaysSent: number;
  /** Stream connections (TCP, TLS, Unix) open now, over every transport of the server. */
  connectionsOpen: number;
  /** Stream connections closed on arrival because a listener's `maxConnections` were open. */
  connectionsRefused: number;
  /** TLS connections destroyed because their handshake did not finish in time. */
  handshakeTimeouts: number;
}

/** A zeroed {@link ServerStats}, for `worker` when the server is one of a cluster. */
export function createServerStats(worker?: WorkerIdentity): ServerStats {
  return {
    ...(worker !== undefined && { worker }),
    calls: 0,
    failedCalls: 0,
    notifications: 0,
    malformed: 0,
    malformedDatagrams: 0,
    duplicatesDropped: 0,
    cancelled: 0,
    deadlineExceeded: 0,
    oversizeReplies: 0,
    truncatedReplies: 0,
    replyCacheHits: 0,
    replyCacheEvictions: 0,
    replyCacheEntries: 0,
    replyCacheBytes: 0,
    incarnationRefused: 0,
    overloadRejected: 0,
    amplificationSuppressed: 0,
    cookieChallenges: 0,
    signatureRejected: 0,
    signatureReplays: 0,
    repliesUndeliverable: 0,
    brokenStreams: 0,
    goawaysSent: 0,
    connectionsOpen: 0,
    connectionsRefused: 0,
    handshakeTimeouts: 0,
  };
}
