import type { AnyRouter, Logger } from '@volley/router';
import type { DecodeLimits } from '@volley/wire';
import type { BuiltinOptions } from './builtins.js';
import type { ReplyCacheOptions } from './datagram/reply-cache.js';
import type { ServerObserver } from './observe/server-observer.js';
import type { WorkerIdentity } from './server-stats.js';
import type { SigningOptions } from './signing/signing-gate.js';

/** Options for `createServer` (server.ts). */
export interface ServerOptions extends BuiltinOptions {
  router: AnyRouter;
  /**
   * Root logger: pino or any pino-compatible logger (`info`, `warn`, `error`, `debug`, `child`;
   * `isLevelEnabled` or `level` optional, see {@link Logger}). Calls log through children carrying
   * `reqId`. Failures the caller caused log at `info`, never `warn`. Default: pino at `info`.
   */
  logger?: Logger;
  /** How long `close()` waits for in-flight calls before aborting them. */
  closeGraceMs?: number;
  /** Caps of the UDP reply cache that makes non-idempotent calls run at most once. */
  replyCache?: ReplyCacheOptions;
  /** Calls allowed to run at once; beyond it, RESOURCE_EXHAUSTED (not executed). Default 4096. */
  maxInFlight?: number;
  /** Calls one stream connection may have running at once; beyond it, RESOURCE_EXHAUSTED. Default 1024. */
  maxCallsPerConnection?: number;
  /**
   * Signed messages (HMAC-SHA256, a key id, a timestamp and the destination): with `keys`, every
   * transport of this server refuses unsigned calls (unless `required: false`); a TLS client with
   * a verified certificate (mTLS) is exempt. Handlers see the key id as `ctx.peer.signedBy`.
   */
  signing?: SigningOptions;
  /**
   * Caps on what one request may expand into, checked on its bytes before it is decoded: nesting
   * depth (default 128) and objects, `baseObjects + bytes / bytesPerObject` (default 1024 + 1 per
   * 8 bytes). Beyond them: PAYLOAD_TOO_LARGE (objects) or BAD_REQUEST (depth), not executed.
   * `false` turns them off (trusted peers only). See docs/security.md.
   */
  decodeLimits?: Partial<DecodeLimits> | false;
  /**
   * Which worker of a cluster this server is, reported by `$health` and `server.stats`; set by
   * `serveCluster` (default: the worker this process is, when serveCluster started it). Each
   * worker keeps its own reply cache, limits, stats and incarnation.
   */
  worker?: WorkerIdentity;
  /**
   * Observers that see every request: calls the handlers ran and those refused before them
   * (NOT_FOUND, BAD_REQUEST, UNAUTHENTICATED, RESOURCE_EXHAUSTED, UNAVAILABLE while draining),
   * retransmissions answered from the reply cache, with timing, transport, peer, sizes and the
   * outcome. OpenTelemetry tracing is one (`serverTracing()`); see docs/observability.md.
   */
  observers?: readonly ServerObserver[];
  /**
   * Per-procedure call statistics ({@link Server.callStats}, `$stats`, `volley stats`): calls by
   * code, in flight, duration and size histograms, per procedure and transport. On by default:
   * 0.15–0.2 µs of CPU per call in process, about half of it the observer seam any observer costs
   * (docs/performance.md#call-statistics-issue-17). `false` turns them off, and `$stats` with them.
   */
  callStats?: boolean;
}
