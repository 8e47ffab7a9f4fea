import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket, type TlsOptions } from 'node:tls';
import { DEFAULT_MAX_FRAME_BYTES } from '@volley/wire';
import { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS } from '../constants.js';
import { createTransportStats } from '../stats.js';
import { openStreamChannel } from '../stream/open-stream-channel.js';
import type { BoundAddress, PeerAddress, ServerTransport, TransportListener, TransportStats } from '../types.js';
import { verifiedIdentityOf } from './peer-identity.js';

/**
 * Options for {@link createTlsTransport}. Certificate fields take PEM (string or Buffer) as
 * `node:tls` does; anything else `node:tls` offers (ciphers, CRLs, versions) goes in `secure`.
 */
export interface TlsTransportOptions {
  /** Address to listen on. Default `127.0.0.1`: this machine only; `0.0.0.0` (or `::`) listens on every interface. */
  host?: string;
  port?: number;
  /** The server's certificate chain. */
  cert: NonNullable<TlsOptions['cert']>;
  key: NonNullable<TlsOptions['key']>;
  passphrase?: string;
  /** CAs trusted to sign client certificates (mTLS); default: Node's bundled roots. */
  ca?: TlsOptions['ca'];
  /** Ask each client for a certificate (mTLS). Default false. */
  requestCert?: boolean;
  /**
   * With `requestCert`: close connections from clients without a certificate that verifies
   * against `ca` (logged through `onTransportError`). Default true. When false such clients are
   * served, and only a verified certificate shows up as `peer.identity`.
   */
  rejectUnauthorized?: boolean;
  /**
   * A connection whose handshake has not finished this long after it arrived is destroyed,
   * counted (`stats.handshakeTimeouts`) and reported to `onConnectionRefused`. Default 10 s
   * (`secure.handshakeTimeout` is honoured when this is not set).
   */
  handshakeTimeoutMs?: number;
  /** Further `node:tls` server options, applied under the ones above. */
  secure?: Omit<TlsOptions, 'cert' | 'key' | 'passphrase' | 'ca' | 'requestCert' | 'rejectUnauthorized'>;
  /** Largest frame accepted or sent; a larger incoming length closes the connection. */
  maxFrameBytes?: number;
  /**
   * Most simultaneous connections (handshaking or not); further ones are closed at once, counted
   * (`stats.connectionsRefused`) and reported to `onConnectionRefused`.
   */
  maxConnections?: number;
  /** A frame begun but not completed within this long closes the connection (slowloris). Default 30 s. */
  partialFrameTimeoutMs?: number;
  /** A connection silent both ways this long is closed, unless calls are running on it. Default 5 min. */
  idleTimeoutMs?: number;
}

/** A TLS server transport, with its counters. */
export interface TlsTransport extends ServerTransport {
  readonly stats: TransportStats;
  /** Connections past the handshake (and the client-certificate check) and still open. */
  readonly connectionCount: number;
  /** Connections closed because the client's certificate was missing or did not verify. */
  readonly refusedCount: number;
}

/** Why an mTLS client is turned away, from what Node saw of its certificate. */
function refusalOf(socket: TLSSocket): Error {
  const cert = socket.getPeerCertificate();
  const presented = cert !== null && typeof cert === 'object' && typeof cert.fingerprint256 === 'string';
  const why = presented ? `certificate did not verify (${String(socket.authorizationError)})` : 'no client certificate';
  return new Error(`TLS client refused: ${why}`);
}

/**
 * Creates a length-framed stream transport over TLS (`node:tls`), the same framing as TCP.
 * Under mTLS (`requestCert`) a handler sees the client's verified certificate as `peer.identity`.
 * @example
 * const tls = createTlsTransport({ port: 0, cert, key, ca, requestCert: true });
 * const bound = await tls.listen({ onMessage(bytes, channel) { channel.send(bytes) } });
 */
export function createTlsTransport(options: TlsTransportOptions): TlsTransport {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const requestCert = options.requestCert ?? false;
  const rejectUnauthorized = requestCert && (options.rejectUnauthorized ?? true);
  const handshakeTimeoutMs =
    options.handshakeTimeoutMs ?? options.secure?.handshakeTimeout ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS;
  const stats = createTransportStats();
  /** Every raw connection, handshaking or not, so `close()` never waits on a slow handshake. */
  const raw = new Set<Socket>();
  const secured = new Set<TLSSocket>();
  let refused = 0;
  let server: Server | undefined;

  function accept(socket: TLSSocket, listener: TransportListener): void {
    const address = socket.remoteAddress ?? '';
    const port = socket.remotePort ?? 0;
    if (rejectUnauthorized && !socket.authorized) {
      // Checked here rather than by Node so the refusal is logged with the peer's address and
      // reason; the socket is destroyed before a byte of application data is read.
      refused++;
      listener.onTransportError?.(refusalOf(socket), { transport: 'tls', address, port });
      socket.destroy();
      return;
    }
    secured.add(socket);
    const identity = verifiedIdentityOf(socket);
    const peer: PeerAddress = identity
      ? { transport: 'tls', address, port, identity }
      : { transport: 'tls', address, port };
    openStreamChannel(socket, peer, {
      limits: {
        maxFrameBytes,
        partialFrameTimeoutMs: options.partialFrameTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
      },
      stats,
      listener,
      onGone: () => secured.delete(socket),
    });
  }

  function create(listener: TransportListener): Server {
    const srv = createServer({
      ...options.secure,
      cert: options.cert,
      key: options.key,
      ...(options.passphrase !== undefined && { passphrase: options.passphrase }),
      ...(options.ca !== undefined && { ca: options.ca }),
      requestCert,
      // Node would also refuse unverified clients, but before telling us who they were (the
      // socket is gone by `tlsClientError`); accept() refuses them instead.
      rejectUnauthorized: false,
      handshakeTimeout: handshakeTimeoutMs,
      noDelay: true,
    });
    if (options.maxConnections !== undefined) srv.maxConnections = options.maxConnections;
    srv.on('connection', (socket: Socket) => {
      raw.add(socket);
      socket.once('close', () => raw.delete(socket));
    });
    srv.on('secureConnection', (socket: TLSSocket) => accept(socket, listener));
    srv.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
      // A failed handshake: wrong protocol, a client that rejected our certificate, a timeout.
      const peer =
        socket.remoteAddress === undefined
          ? undefined
          : { transport: 'tls' as const, address: socket.remoteAddress, port: socket.remotePort ?? 0 };
      // Node emits a handshake timeout and destroys nothing: the silent connection would keep its
      // `maxConnections` slot until the peer left. Other failures are destroyed already.
      socket.destroy();
      if (error.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
        stats.handshakeTimeouts++;
        listener.onConnectionRefused?.(
          { code: 'HANDSHAKE_TIMEOUT', message: `TLS handshake not finished within ${handshakeTimeoutMs} ms` },
          peer,
        );
        return;
      }
      listener.onTransportError?.(new Error(`TLS handshake failed: ${error.message}`, { cause: error }), peer);
    });
    srv.on('drop', (data) => {
      stats.connectionsRefused++;
      const peer = data && { transport: 'tls' as const, address: data.remoteAddress ?? '', port: data.remotePort ?? 0 };
      listener.onConnectionRefused?.(
        { code: 'MAX_CONNECTIONS', message: `Connection refused: limit of ${options.maxConnections} reached` },
        peer,
      );
    });
    return srv;
  }

  return {
    kind: 'tls',
    stats,
    get connectionCount() {
      return secured.size;
    },
    get refusedCount() {
      return refused;
    },
    listen(listener) {
      return new Promise<BoundAddress>((resolve, reject) => {
        const srv = create(listener);
        srv.once('error', reject);
        srv.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 }, () => {
          srv.off('error', reject);
          srv.on('error', (error) => listener.onTransportError?.(error));
          server = srv;
          const address = srv.address();
          resolve(
            typeof address === 'object' && address !== null
              ? { transport: 'tls', address: address.address, port: address.port }
              : { transport: 'tls', address: String(address), port: 0 },
          );
        });
      });
    },
    stopAccepting() {
      server?.close();
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const socket of raw) socket.destroy();
        for (const socket of secured) socket.destroy();
        if (!server?.listening) return resolve();
        server.close(() => resolve());
      });
    },
  };
}
