import { connectStream, connectTls, connectUdp, defaultMemoryNetwork } from '@volley/transport';
import { type Codec, createCodec, DEFAULT_MAX_FRAME_BYTES, signingAudience } from '@volley/wire';
import type { RetryOptions } from './call-retry.js';
import { ClientCore } from './client-core.js';
import type { ClientOptions } from './client-options.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './constants.js';
import { type Endpoint, parseEndpoint } from './endpoint.js';
import type { Connector } from './reconnecting-connection.js';
import { createSigningConnector } from './signing-connector.js';
import { createConfirmingConnector } from './stream/confirming-connector.js';

/** What differs between the cores of one client: where its calls go and who retries them. */
export interface EndpointCoreSettings {
  /** The URL shown in errors and logs. */
  readonly target: string;
  /**
   * The host name the endpoint was found by, when it was resolved to an address: a TLS
   * certificate must carry it, and signatures are bound to it by default.
   */
  readonly name?: string;
  /** Retries inside the core; a balanced client retries across endpoints itself and passes none. */
  readonly retry?: RetryOptions | undefined;
}

/** The destination a client's signatures are bound to, by default. */
function defaultAudience(endpoint: Endpoint, name: string | undefined): string {
  if (endpoint.transport === 'unix') return endpoint.path;
  if (endpoint.transport === 'memory') return endpoint.name;
  return signingAudience(name ?? endpoint.host, endpoint.port);
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
 * The engine for one concrete endpoint (an address, a socket path or a memory name): its
 * connector for the URL's transport, with the TLS confirm step, signing and the UDP client's TCP
 * route wrapped around it as the options ask.
 */
export function createEndpointCore(
  endpoint: Endpoint,
  options: ClientOptions,
  settings: EndpointCoreSettings,
): ClientCore {
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
      // A resolved address keeps the name it was found by: the certificate must carry that name.
      const tls =
        settings.name === undefined || settings.name === host
          ? options.tls
          : { servername: settings.name, ...options.tls };
      const handshake: Connector = (handlers) =>
        connectTls({ ...tls, host, port, maxFrameBytes, connectTimeoutMs }, handlers);
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
      audience: options.signing.audience ?? defaultAudience(endpoint, settings.name),
    };
    codec ??= createCodec();
    connect = createSigningConnector(connect, scope, codec);
    if (fallback) fallback = createSigningConnector(fallback, scope, codec);
  }
  return new ClientCore(connect, {
    mode:
      endpoint.transport === 'udp' || (endpoint.transport === 'memory' && options.memoryNetwork?.mode === 'datagram')
        ? 'datagram'
        : 'stream',
    target: settings.target,
    ...(options.timeoutMs !== undefined && { defaultTimeoutMs: options.timeoutMs }),
    ...(options.logger && { logger: options.logger }),
    ...(options.retransmit && { retransmit: options.retransmit }),
    ...(options.maxOutstanding !== undefined && { maxOutstanding: options.maxOutstanding }),
    ...(options.auth !== undefined && { auth: options.auth }),
    ...(options.metadata !== undefined && { metadata: options.metadata }),
    ...(options.procedures !== undefined && { procedures: options.procedures }),
    ...(options.reconnect && { reconnect: options.reconnect }),
    ...(settings.retry && { retry: settings.retry }),
    ...(options.keepalive && { keepalive: options.keepalive }),
    ...(endpoint.transport === 'udp' && { fallback }),
    ...(route && { fallbackTarget: route.url }),
  });
}
