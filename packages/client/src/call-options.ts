import type { EndpointStats } from './balance/endpoint-stats.js';
import type { CallEventListener, CallSizesListener } from './observe/call-events.js';

/** Per-call options, the last argument of every procedure call. */
export interface CallOptions {
  /** Give up after this many milliseconds; sent to the server as the call's deadline. */
  timeoutMs?: number;
  /** Aborting cancels the call: it rejects with `CANCELLED` and the server's handler signal fires. */
  signal?: AbortSignal;
  /** Trace context: a W3C `traceparent` (or an opaque token), sent in the request metadata (`t`). */
  trace?: string;
  /** The W3C `tracestate` that goes with `trace` (metadata `ts`). */
  traceState?: string;
  /** Credentials for the server's auth middleware (metadata `au`); overrides the client's `auth`. */
  auth?: string;
  /** Application metadata (wire `md`) for the server's middleware; merged over the client's `metadata`. */
  metadata?: Record<string, string>;
  /**
   * Told of what happens to the call on its way: retransmissions, cookie challenges, truncated
   * replies fetched over TCP, retries (docs/observability.md). Tracing interceptors set it.
   */
  onEvent?: CallEventListener;
  /**
   * Told the size of the request and of the reply, in bytes, as each attempt that sent its request
   * ends (a call retried reports each attempt): the request message as encoded for its last
   * transmission, the reply message that answered it (UDP: with its metadata; a truncated reply:
   * the whole reply fetched over TCP), 0 when none came. Both without a signature. Metrics
   * interceptors set it.
   */
  onSizes?: CallSizesListener;
}

/** Client-wide metadata with the call's own keys on top; undefined when neither has any. */
export function mergeMetadata(
  base: Record<string, string> | undefined,
  own: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (base === undefined) return own;
  return own === undefined ? base : { ...base, ...own };
}

/** Counters a client keeps. */
export interface ClientStats {
  /** Calls made (a balanced client: calls, not attempts). */
  calls: number;
  /** Requests handed to a socket, first transmissions and retransmissions alike. */
  sent: number;
  /** Datagrams resent because no reply came in time (UDP). */
  retransmits: number;
  /** Calls that ended with a local `DEADLINE_EXCEEDED`. */
  timeouts: number;
  cancelled: number;
  /** Replies for no pending call (late, duplicated, or for a call since moved to TCP), dropped. */
  unmatchedReplies: number;
  /** UDP replies with a pending msgid but not this client's id: forged or stray, dropped. */
  forgedReplies: number;
  /** Messages from the server that could not be decoded. */
  malformedReplies: number;
  /** UDP replies that came back truncated (too large for a datagram). */
  truncatedReplies: number;
  /** Calls sent over the TCP route instead of UDP: large requests and truncated replies. */
  tcpFallbacks: number;
  /** Calls retried after a refusal that said they had not executed (`retry` option). */
  callRetries: number;
  /** Retries the retry budget refused (too many retries for the calls made): those calls failed with their error. */
  retriesDenied: number;
  /** Cookie challenges answered: replies the server would not send before our address was proven. */
  cookieChallenges: number;
  /** UDP datagrams from the server's address that are not responses (ping, goaway, …): ignored, as forgeable. */
  strayDatagrams: number;
  /**
   * Calls refused, may have executed, by a restarted server: a retransmission reached another
   * server process than the first transmission did (UDP; docs/protocol.md §5.7).
   */
  incarnationRefusals: number;
  /**
   * `$health` calls the client sent of its own to learn the server's incarnation, each beside the
   * first non-idempotent call it made while it knew none (UDP; docs/protocol.md §5.7). Not in
   * `calls` or `timeouts`; their datagrams are in `sent` and `retransmits`.
   */
  incarnationProbes: number;
  /** Retries sent to another endpoint than the attempt before (a client over several endpoints). */
  failovers: number;
  /**
   * Each endpoint of a client over several endpoints or a DNS name: state, calls, failures,
   * ejections, outstanding calls and round trip. Absent on a client of one address.
   */
  readonly endpoints?: readonly EndpointStats[];
}

/** A zeroed {@link ClientStats}. */
export function createClientStats(): ClientStats {
  return {
    calls: 0,
    sent: 0,
    retransmits: 0,
    timeouts: 0,
    cancelled: 0,
    unmatchedReplies: 0,
    forgedReplies: 0,
    malformedReplies: 0,
    truncatedReplies: 0,
    tcpFallbacks: 0,
    callRetries: 0,
    retriesDenied: 0,
    cookieChallenges: 0,
    strayDatagrams: 0,
    incarnationRefusals: 0,
    incarnationProbes: 0,
    failovers: 0,
  };
}
