import type { MemoryNetwork, TlsClientOptions, UdpSocketOptions } from '@volley/transport';
import type { SigningKey } from '@volley/wire';
import type { Logger } from 'pino';
import type { OutlierOptions } from './balance/outlier-detector.js';
import type { RetryOptions } from './call-retry.js';
import type { ProcedureFlags } from './client-core-options.js';
import type { RetransmitOptions } from './datagram/retransmit-policy.js';
import type { DnsResolverOptions } from './discovery/dns-resolver.js';
import type { ClientInterceptor } from './observe/interceptor.js';
import type { ReconnectOptions } from './reconnecting-connection.js';
import type { KeepaliveOptions } from './stream/keepalive.js';

/** Options for `createClient`. */
export interface ClientOptions extends UdpSocketOptions {
  /** Timeout for calls that set none (default 10 s). */
  timeoutMs?: number;
  /** UDP: largest datagram to send (default 1200; up to 65 507 on a LAN). */
  maxDatagramBytes?: number;
  /** TCP/Unix: largest frame to send or accept (default 4 MiB). */
  maxFrameBytes?: number;
  connectTimeoutMs?: number;
  /**
   * For `tls://` URLs: trusted CAs, a client certificate for mTLS, and the name the server's
   * certificate must carry (default: the URL's host).
   */
  tls?: TlsClientOptions;
  /**
   * For `memory://` URLs; defaults to the process-wide network. On a network made with
   * `new MemoryNetwork({ mode: 'datagram' })` the client takes the datagram path, as over UDP
   * (retransmission, client id, the server's reply cache), without a TCP route.
   */
  memoryNetwork?: MemoryNetwork;
  /** Debug lines for retransmissions, warnings for malformed replies. */
  logger?: Logger;
  /** UDP: retransmission timing (RTO floor/ceiling, retries, a seeded random for jitter). */
  retransmit?: RetransmitOptions;
  /** UDP: calls outstanding at once to the server; later ones wait their turn (default 256). */
  maxOutstanding?: number;
  /**
   * UDP: where to send requests and fetch replies too large for a datagram, as `tcp://host:port`.
   * Default: TCP on the same host and port. `false`: no fallback (such calls fail with
   * PAYLOAD_TOO_LARGE).
   */
  tcpFallback?: string | false;
  /** Credentials sent with every call (metadata `au`), for the server's auth middleware. */
  auth?: string;
  /** Application metadata (wire `md`) sent with every call; a call's `metadata` adds to it. */
  metadata?: Record<string, string>;
  /**
   * Flags of the server's procedures by dotted name, as `$describe` reports them. Generated stubs
   * pass them; with them, `retry` also retries idempotent calls that may have executed.
   */
  procedures?: Readonly<Record<string, ProcedureFlags>>;
  /** TCP/Unix and the TCP route: backoff between reconnect attempts, or fail fast while waiting. */
  reconnect?: ReconnectOptions;
  /** Retry calls refused as not executed (server unreachable, draining, saturated): `{ maxAttempts }`. */
  retry?: RetryOptions;
  /** TCP/TLS/Unix: ping a connection silent for `intervalMs` while calls wait; drop it after `timeoutMs` more. */
  keepalive?: KeepaliveOptions;
  /**
   * Sign every message (on every transport, the UDP client's TCP route included) with this key
   * and accept only replies signed with it. `audience` is the name the signature is bound to:
   * by default the URL's `host:port` (the socket path for `unix://`, the name for `memory://`);
   * the server must answer to it (its listening address, or its `signing.audience`).
   */
  signing?: SigningKey & { audience?: string };
  /**
   * DNS servers and TTL bounds for names in the URL (default: the system's resolver; a name's
   * A/AAAA TTL decides when it is resolved again, within `minTtlMs`…`maxTtlMs`).
   */
  dns?: DnsResolverOptions;
  /** A client over several endpoints or a DNS name: how it picks, ejects and probes endpoints. */
  balancing?: BalancingOptions;
  /**
   * Wrap every call, the first outermost (as gRPC's and Connect's interceptors): tracing, metrics,
   * metadata, logging. See {@link ClientInterceptor} and docs/observability.md.
   */
  interceptors?: readonly ClientInterceptor[];
}

/** How a client over several endpoints balances (`createClient` with a list, a DNS name or an SRV name). */
export interface BalancingOptions {
  /** Outlier ejection: failures in a row, ejection times, the cap on ejected endpoints. */
  outlier?: OutlierOptions;
  /** How long a `$health` probe of an endpoint may take (default 2 s). */
  probeTimeoutMs?: number;
  /** Peak-EWMA decay τ, ms (default 1 s; Finagle's is 10 s, for slower round trips). */
  decayMs?: number;
  /** [0, 1) random source for power of two choices (default Math.random; seeded in tests). */
  random?: () => number;
}
