/**
 * Default per-call timeout. gRPC sets none and callers hang forever when a peer black-holes;
 * 10 s is long for a LAN service yet short enough that a forgotten timeout surfaces as an error.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Retransmission timeout before any round trip has been measured. RFC 6298 §2.1 says 1 s and
 * RFC 9002 uses 333 ms for the open Internet; Volley's first users are LAN services with sub-ms
 * round trips, so 200 ms: a lost first datagram costs little, and an RTT sample replaces it after
 * the first reply.
 */
export const INITIAL_RTO_MS = 200;

/**
 * Floor of the retransmission timeout. RFC 6298 §2.4's 1 s floor guards against spurious
 * retransmits on WANs with delayed ACKs; a LAN reply has no delayed ACK but does include the
 * handler's run time and GC pauses (tens of ms), so 50 ms keeps spurious retransmits rare while
 * recovering a loss 20× faster than the RFC floor. A retransmit of a running call costs one
 * datagram: the server drops duplicates of calls in progress.
 */
export const MIN_RTO_MS = 50;

/**
 * Ceiling of one retransmission wait. RFC 6298 §2.5 allows ≥ 60 s; with a 10 s default deadline
 * that would leave one or two attempts under heavy loss. 2 s keeps attempts coming (about ten in a
 * 10 s deadline) while a dead peer still gets at most one datagram per call every 2 s.
 */
export const MAX_RTO_MS = 2_000;

/**
 * Most retransmissions per call (CoAP's MAX_RETRANSMIT is 4 with a 2–3 s first timeout; ours
 * starts 10–40× lower). With the schedule above, 10 retransmissions span about 9 s, the default
 * deadline: a dead peer receives at most 11 datagrams per call, whatever the deadline.
 */
export const MAX_RETRANSMITS = 10;

/** Each wait is the previous one doubled (RFC 6298 §5.5, CoAP §4.2), up to MAX_RTO_MS. */
export const BACKOFF_FACTOR = 2;

/**
 * Jitter: each wait is multiplied by a uniform factor in [1, 1 + RTO_JITTER), so clients that lost
 * datagrams together do not retransmit in lockstep (CoAP's ACK_RANDOM_FACTOR is 1.5).
 */
export const RTO_JITTER = 0.25;

/**
 * Default cap on UDP calls outstanding per destination; later calls wait in order until one
 * finishes. Bounds what a dead or overloaded peer receives (RFC 8085 §3.1.3 asks low-volume
 * apps for about one datagram per RTT; a request/reply client at 256 in flight sends one burst
 * per RTT at most, then backs off per call).
 */
export const DEFAULT_MAX_OUTSTANDING = 256;

/** Give up opening a TCP/Unix connection after this long, so a black-holed SYN fails fast. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** First wait before reconnecting after a failed connect; doubles per failure (gRPC's is 1 s, for WANs). */
export const RECONNECT_BASE_MS = 100;

/** Longest wait between reconnect attempts: a restarted server is found within 5 s. */
export const RECONNECT_MAX_MS = 5_000;

/** First wait before retrying a call refused as not executed; doubles per retry, within the deadline. */
export const RETRY_BASE_MS = 50;

/** Retry budget window (Finagle's `RetryBudget` default ttl): calls and retries counted over 10 s. */
export const DEFAULT_RETRY_WINDOW_MS = 10_000;

/** Retries a retry budget allows per call made in its window (Finagle's `percentCanRetry`, 20 %). */
export const DEFAULT_RETRY_FRACTION = 0.2;

/** Retries a retry budget allows per second whatever the traffic (Finagle's `minRetriesPerSec`). */
export const DEFAULT_MIN_RETRIES_PER_SECOND = 10;

/**
 * Peak-EWMA decay time τ: a slow round trip is forgotten to 1/e in 1 s. Finagle's default is 10 s,
 * for services whose round trips are tens of ms; a LAN call takes well under a millisecond, so one
 * GC pause or burst is a peak tens of times the average, and at 10 s it starved an endpoint for
 * most of a minute (test/balancing/failover.test.ts: healthy instances 50–56 % apart in one run in
 * three after a fault, against a median of 7 % at 1 s). A lasting slowness is not forgotten any
 * sooner: its own samples keep the peak up.
 */
export const DEFAULT_PEAK_EWMA_DECAY_MS = 1_000;

/** Resolve a DNS name again no sooner than this, whatever its TTL (ms): a TTL of 0 must not become a busy loop. */
export const DEFAULT_DNS_MIN_TTL_MS = 1_000;

/** Resolve a DNS name again at least this often, whatever its TTL (ms), so a long TTL still notices moves. */
export const DEFAULT_DNS_MAX_TTL_MS = 300_000;

/** Re-resolve interval for SRV answers, whose TTL Node does not expose (ms). */
export const DEFAULT_DNS_REFRESH_MS = 30_000;

/** Failures in a row that eject an endpoint from a balanced client (Envoy's `consecutive_5xx` default). */
export const DEFAULT_CONSECUTIVE_FAILURES = 5;

/**
 * First ejection of an endpoint; each later one of the same endpoint doubles (Envoy starts at
 * 30 s and grows linearly, for WAN meshes; a LAN service restarts in seconds, so 1 s doubling).
 */
export const DEFAULT_BASE_EJECTION_MS = 1_000;

/** Longest ejection: a recovered instance gets traffic again within 30 s. */
export const DEFAULT_MAX_EJECTION_MS = 30_000;

/** At most half the endpoints ejected at once, and never the last one. */
export const DEFAULT_MAX_EJECTED_FRACTION = 0.5;

/** Window over which endpoints' failure rates are compared (Envoy's outlier `interval`). */
export const DEFAULT_FAILURE_RATE_INTERVAL_MS = 10_000;

/** Time a `$health` probe of an endpoint (new, or at the end of its ejection) may take. */
export const DEFAULT_PROBE_TIMEOUT_MS = 2_000;

/**
 * Life of the `$health` probe a UDP client sends beside its first non-idempotent call when it knows
 * no server incarnation (docs/protocol.md §5.7), as long as a balanced client gives an endpoint's
 * probe: about four transmissions. It is ended sooner when no call it could serve is pending; a
 * later call sends a new one.
 */
export const INCARNATION_PROBE_TIMEOUT_MS = 2_000;

/** Attempts per call on a balanced client: the first and up to two on other endpoints. */
export const DEFAULT_BALANCED_ATTEMPTS = 3;

/**
 * Procedures `clientMetrics()` keeps apart, over all transports; calls to further names are
 * counted under `_OTHER` (OpenTelemetry's name for values past a cardinality limit). A client's
 * procedures come from its own code, so real programs stay far below; the cap guards against one
 * that builds names from data. Half the OpenTelemetry JS SDK's default cardinality limit of 2000
 * attribute sets per metric, leaving room for a few codes per procedure.
 */
export const MAX_CLIENT_METRIC_PROCEDURES = 1_000;
