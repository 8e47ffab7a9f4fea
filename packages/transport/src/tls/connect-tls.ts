import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { DEFAULT_MAX_FRAME_BYTES, RpcError } from '@volley/wire';
import { createTransportStats } from '../stats.js';
import { FramedSocket } from '../stream/framed-socket.js';
import type { ClientConnection, ConnectionHandlers, PeerAddress, TransportStats } from '../types.js';
import { verifiedIdentityOf } from './peer-identity.js';

/** A client's TLS settings, passed to `node:tls`. PEM strings or Buffers. */
export interface TlsClientOptions {
  /** CAs trusted to sign the server's certificate; default: Node's bundled roots. */
  ca?: ConnectionOptions['ca'];
  /** Client certificate chain, for servers that require one (mTLS). */
  cert?: ConnectionOptions['cert'];
  key?: ConnectionOptions['key'];
  passphrase?: string;
  /**
   * Name the server's certificate must carry (and the SNI sent). Default: the URL's host, so
   * connecting to `127.0.0.1` needs a certificate for that IP unless this is set.
   */
  servername?: string;
  /** Verify the server's certificate chain and name. Default true; false is for tests only. */
  rejectUnauthorized?: boolean;
}

/** Where and how to open a client TLS connection. */
export interface ConnectTlsOptions extends TlsClientOptions {
  host?: string;
  port?: number;
  maxFrameBytes?: number;
  /** Counters to add to; one set can be shared by a client's successive connections. */
  stats?: TransportStats;
  /** Gives up connecting after this many milliseconds, TLS handshake included. */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Opens a length-framed TLS connection, verifying the server's certificate and name. Resolves
 * once the handshake is done; rejects with `UNAVAILABLE` (not executed) when the server cannot be
 * reached or the handshake fails.
 *
 * A client's `secureConnect` is not proof it was accepted: under TLS 1.3 the server checks the
 * client's certificate after the client's handshake is done, and refuses one from an unknown CA
 * by closing the connection. This transport knows bytes, not messages, so it does not wait to
 * find out: a client that must know confirms the connection one floor up (the Volley client
 * pings each new TLS connection before using it, `client/src/stream/confirming-connector.ts`).
 */
export function connectTls(options: ConnectTlsOptions, handlers: ConnectionHandlers): Promise<ClientConnection> {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const stats = options.stats ?? createTransportStats();
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const target = `tls://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port,
      ...(options.ca !== undefined && { ca: options.ca }),
      ...(options.cert !== undefined && { cert: options.cert }),
      ...(options.key !== undefined && { key: options.key }),
      ...(options.passphrase !== undefined && { passphrase: options.passphrase }),
      ...(options.servername !== undefined && { servername: options.servername }),
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('error', fail);
    };
    const fail = (cause: unknown) => {
      if (settled) return;
      cleanup();
      socket.destroy();
      const message = `Cannot connect to ${target}: ${(cause as Error)?.message ?? String(cause)}`;
      reject(new RpcError('UNAVAILABLE', message, { cause, local: true, notExecuted: true }));
    };
    const onAbort = () => fail(options.signal?.reason ?? new Error('aborted'));
    if (options.connectTimeoutMs !== undefined) {
      timer = setTimeout(
        () => fail(new Error(`timed out after ${options.connectTimeoutMs} ms`)),
        options.connectTimeoutMs,
      );
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      if (settled) return;
      cleanup();
      const identity = verifiedIdentityOf(socket);
      const address = socket.remoteAddress ?? host;
      const remotePort = socket.remotePort ?? port;
      const peer: PeerAddress = identity
        ? { transport: 'tls', address, port: remotePort, identity }
        : { transport: 'tls', address, port: remotePort };
      // A client keeps reading replies whatever its write backlog: see pauseReadingWhenCongested.
      const framed = new FramedSocket(socket, {
        maxFrameBytes,
        stats,
        pauseReadingWhenCongested: false,
        onFrame: handlers.onMessage,
        onClose: handlers.onClose,
      });
      resolve({
        kind: 'tls',
        peer,
        mode: 'stream',
        maxMessageBytes: maxFrameBytes,
        send: (message) => framed.send(message),
        close: () => framed.close(),
        destroy: (reason) => framed.destroy(reason),
        ref: () => socket.ref(),
        unref: () => socket.unref(),
      });
    });
  });
}
