import type { DeliveryMode } from '@volley/transport';
import type { Logger } from 'pino';
import type { RetryOptions } from './call-retry.js';
import type { RetransmitOptions } from './datagram/retransmit-policy.js';
import type { Connector, ReconnectOptions } from './reconnecting-connection.js';
import type { KeepaliveOptions } from './stream/keepalive.js';

/** What a client knows of one procedure, as the server declared it. */
export interface ProcedureFlags {
  /** Running it twice has the effect of once: with `retry`, a call that *may* have run is retried too. */
  readonly idempotent?: boolean;
}

/** Settings {@link ClientCore} needs beyond its connector. */
export interface ClientCoreOptions {
  /**
   * How the connector's connections deliver, which picks the call path once (`createCallPath`):
   * `datagram` (UDP) calls are retransmitted and carry the client id; `stream` calls are sent once.
   */
  mode: DeliveryMode;
  /** Shown in error messages. */
  target: string;
  defaultTimeoutMs?: number;
  logger?: Logger;
  /** UDP: retransmission timing. */
  retransmit?: RetransmitOptions;
  /** UDP: calls outstanding at once; later ones wait their turn (default 256). */
  maxOutstanding?: number;
  /** UDP: a stream route to the same server, for requests and replies too large for a datagram. */
  fallback?: Connector;
  /** The TCP route's URL, named in errors when it cannot be opened. */
  fallbackTarget?: string;
  /** Credentials sent with every call and notification (metadata `au`) unless the call sets its own. */
  auth?: string;
  /** Application metadata sent with every call and notification; a call's own keys win. */
  metadata?: Record<string, string>;
  /** Flags of the server's procedures (from `$describe`, carried by generated stubs). */
  procedures?: Readonly<Record<string, ProcedureFlags>>;
  /** Reconnect backoff for the connection (streams) and the TCP route. */
  reconnect?: ReconnectOptions;
  /** Retries of calls refused as not executed; see {@link RetryOptions}. */
  retry?: RetryOptions;
  /** Stream connections: pings that find a dead peer while calls wait on it. */
  keepalive?: KeepaliveOptions;
}
