import type { Logger } from 'pino';
import type { RetryOptions } from './call-retry.js';
import type { KeepaliveOptions } from './keepalive.js';
import type { Connector, ReconnectOptions } from './links/link.js';
import type { RetransmitOptions } from './retransmit-policy.js';

/** Settings {@link ClientCore} needs beyond its connector. */
export interface ClientCoreOptions {
  /** True for UDP: calls are retransmitted and carry the client id. */
  connectionless: boolean;
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
  /** Credentials sent with every call and notification (metadata `au`) unless the call sets its own. */
  auth?: string;
  /** Reconnect backoff for the connection (streams) and the TCP route. */
  reconnect?: ReconnectOptions;
  /** Retries of calls refused as not executed; see {@link RetryOptions}. */
  retry?: RetryOptions;
  /** Stream connections: pings that find a dead peer while calls wait on it. */
  keepalive?: KeepaliveOptions;
}
