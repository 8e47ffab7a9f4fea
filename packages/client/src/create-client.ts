import type { AnyRouter } from '@volley/router';
import {
  connectStream,
  connectTls,
  connectUdp,
  defaultMemoryNetwork,
  type MemoryNetwork,
  type TlsClientOptions,
  type UdpSocketOptions,
} from '@volley/transport';
import { type Codec, createCodec, DEFAULT_MAX_FRAME_BYTES, type SigningKey, signingAudience } from '@volley/wire';
import type { Logger } from 'pino';
import type { RetryOptions } from './call-retry.js';
import { ClientCore } from './client-core.js';
import type { ProcedureFlags } from './client-core-options.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './constants.js';
import type { RetransmitOptions } from './datagram/retransmit-policy.js';
import { type Endpoint, parseEndpoint } from './endpoint.js';
import { createProxy } from './proxy.js';
import type { Connector, ReconnectOptions } from './reconnecting-connection.js';
import { createSigningConnector } from './signing-connector.js';
import { createConfirmingConnector } from './stream/confirming-connector.js';
import type { KeepaliveOptions } from './stream/keepalive.js';
import type { ClientMethods, VolleyClient } from './types.js';

/** Options for {@link createClient}. */
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
}

/** The destination a client's signatures are bound to, by default. */
function defaultAudience(endpoint: Endpoint): string {
  if (endpoint.transport === 'unix') return endpoint.path;
  if (endpoint.transport === 'memory') return endpoint.name;
  return signingAudience(endpoint.host, endpoint.port);
}

/** The stream route a UDP client uses for messages too large for a datagram, if any. */
function tcpFallbackConnector(
  endpoint: { host: string; port: number },
  options: ClientOptions,
  maxFrameBytes: number,
  connectTimeoutMs: number,
): { connect: Connector; url: string } | undefined {
  if (options.tcpFallback === false) return undefined;
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const route =
    options.tcpFallback === undefined
      ? { transport: 'tcp' as const, host: endpoint.host, port: endpoint.port, url: `tcp://${host}:${endpoint.port}` }
      : parseEndpoint(options.tcpFallback);
  if (route.transport !== 'tcp') throw new TypeError(`tcpFallback must be a tcp:// URL, got "${options.tcpFallback}"`);
  return {
    connect: (handlers) =>
      connectStream({ host: route.host, port: route.port, maxFrameBytes, connectTimeoutMs }, handlers),
    url: route.url,
  };
}

/**
 * Creates a typed client. Types come from the server's router type alone: import it with
 * `import type`, no codegen and no server code at run time.
 * @example
 * import type { AppRouter } from './server.js';
 * const client = createClient<AppRouter>('udp://127.0.0.1:4000');
 * const { value } = await client.kv.get({ key: 'a' }, { timeoutMs: 200 });
 */
export function createClient<TRouter extends AnyRouter>(
  url: string,
  options: ClientOptions = {},
): VolleyClient<TRouter> {
  const endpoint = parseEndpoint(url);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  let codec: Codec | undefined;
  let connect: Connector;
  switch (endpoint.transport) {
    case 'udp':
      connect = (handlers) => connectUdp({ ...options, host: endpoint.host, port: endpoint.port }, handlers);
      break;
    case 'tcp':
      connect = (handlers) =>
        connectStream({ host: endpoint.host, port: endpoint.port, maxFrameBytes, connectTimeoutMs }, handlers);
      break;
    case 'tls': {
      const { host, port } = endpoint;
      const handshake: Connector = (handlers) =>
        connectTls({ ...options.tls, host, port, maxFrameBytes, connectTimeoutMs }, handlers);
      codec = createCodec();
      connect = createConfirmingConnector(handshake, {
        codec,
        target: `tls://${host.includes(':') ? `[${host}]` : host}:${port}`,
        connectTimeoutMs,
      });
      break;
    }
    case 'unix':
      connect = (handlers) => connectStream({ path: endpoint.path, maxFrameBytes, connectTimeoutMs }, handlers);
      break;
    case 'memory':
      connect = (handlers) =>
        (options.memoryNetwork ?? defaultMemoryNetwork).connect(endpoint.name, handlers, maxFrameBytes);
      break;
  }
  const route =
    endpoint.transport === 'udp' ? tcpFallbackConnector(endpoint, options, maxFrameBytes, connectTimeoutMs) : undefined;
  let fallback = route?.connect;
  if (options.signing) {
    // One scope for every route: the server checks the same signature whichever door a call uses.
    const scope = {
      keyId: options.signing.keyId,
      key: options.signing.key,
      audience: options.signing.audience ?? defaultAudience(endpoint),
    };
    codec ??= createCodec();
    connect = createSigningConnector(connect, scope, codec);
    if (fallback) fallback = createSigningConnector(fallback, scope, codec);
  }
  const core = new ClientCore(connect, {
    mode:
      endpoint.transport === 'udp' || (endpoint.transport === 'memory' && options.memoryNetwork?.mode === 'datagram')
        ? 'datagram'
        : 'stream',
    target: url,
    ...(options.timeoutMs !== undefined && { defaultTimeoutMs: options.timeoutMs }),
    ...(options.logger && { logger: options.logger }),
    ...(options.retransmit && { retransmit: options.retransmit }),
    ...(options.maxOutstanding !== undefined && { maxOutstanding: options.maxOutstanding }),
    ...(options.auth !== undefined && { auth: options.auth }),
    ...(options.metadata !== undefined && { metadata: options.metadata }),
    ...(options.procedures !== undefined && { procedures: options.procedures }),
    ...(options.reconnect && { reconnect: options.reconnect }),
    ...(options.retry && { retry: options.retry }),
    ...(options.keepalive && { keepalive: options.keepalive }),
    ...(endpoint.transport === 'udp' && { fallback }),
    ...(route && { fallbackTarget: route.url }),
  });
  const methods: ClientMethods = {
    call: (procedure, input, callOptions) => core.call(procedure, input, callOptions),
    notify: (procedure, input, callOptions) => core.notify(procedure, input, callOptions),
    close: () => core.close(),
    stats: core.stats,
  };
  return createProxy(core, methods) as VolleyClient<TRouter>;
}
