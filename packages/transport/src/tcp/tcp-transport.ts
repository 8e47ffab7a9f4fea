import { existsSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { DEFAULT_MAX_FRAME_BYTES } from '@volley/wire';
import { createTransportStats } from '../stats.js';
import { openStreamChannel } from '../stream/open-stream-channel.js';
import type {
  BoundAddress,
  PeerAddress,
  ServerTransport,
  TransportKind,
  TransportListener,
  TransportStats,
} from '../types.js';

/** Options for {@link createTcpTransport}: a TCP `host`/`port`, or a Unix socket `path`. */
export interface TcpTransportOptions {
  /** Address to listen on. Default `127.0.0.1`: this machine only; `0.0.0.0` (or `::`) listens on every interface. */
  host?: string;
  port?: number;
  /** Unix domain socket path; when set, `host` and `port` are ignored. */
  path?: string;
  /** Largest frame accepted or sent; a larger incoming length closes the connection. */
  maxFrameBytes?: number;
  /**
   * Most simultaneous connections; further ones are closed at once, counted
   * (`stats.connectionsRefused`) and reported to the listener's `onConnectionRefused`.
   */
  maxConnections?: number;
  /** A frame begun but not completed within this long closes the connection (slowloris). Default 30 s. */
  partialFrameTimeoutMs?: number;
  /** A connection silent both ways this long is closed, unless the listener says it is busy. Default 5 min. */
  idleTimeoutMs?: number;
}

/** A stream server transport, with its counters. */
export interface TcpTransport extends ServerTransport {
  readonly stats: TransportStats;
  /** Number of open connections. */
  readonly connectionCount: number;
}

/**
 * Creates a length-framed stream transport over TCP (`node:net`) or a Unix domain socket.
 * @example
 * const tcp = createTcpTransport({ host: '127.0.0.1', port: 0 });
 * const bound = await tcp.listen({ onMessage(bytes, channel) { channel.send(bytes) } });
 */
export function createTcpTransport(options: TcpTransportOptions = {}): TcpTransport {
  const kind: TransportKind = options.path === undefined ? 'tcp' : 'unix';
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const stats = createTransportStats();
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  function accept(socket: Socket, listener: TransportListener): void {
    sockets.add(socket);
    const peer: PeerAddress =
      kind === 'unix'
        ? { transport: kind, address: options.path ?? '', port: 0 }
        : { transport: kind, address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    openStreamChannel(socket, peer, {
      limits: {
        maxFrameBytes,
        partialFrameTimeoutMs: options.partialFrameTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
      },
      stats,
      listener,
      onGone: () => sockets.delete(socket),
    });
  }

  return {
    kind,
    stats,
    get connectionCount() {
      return sockets.size;
    },
    listen(listener) {
      return new Promise<BoundAddress>((resolve, reject) => {
        const srv = createServer({ noDelay: true }, (socket) => accept(socket, listener));
        if (options.maxConnections !== undefined) srv.maxConnections = options.maxConnections;
        srv.on('drop', (data) => {
          stats.connectionsRefused++;
          const peer: PeerAddress | undefined =
            kind === 'unix'
              ? { transport: kind, address: options.path ?? '', port: 0 }
              : data && { transport: kind, address: data.remoteAddress ?? '', port: data.remotePort ?? 0 };
          listener.onConnectionRefused?.(
            { code: 'MAX_CONNECTIONS', message: `Connection refused: limit of ${options.maxConnections} reached` },
            peer,
          );
        });
        srv.once('error', reject);
        const onListening = () => {
          srv.off('error', reject);
          srv.on('error', (error) => listener.onTransportError?.(error));
          server = srv;
          const address = srv.address();
          resolve(
            typeof address === 'object' && address !== null
              ? { transport: kind, address: address.address, port: address.port }
              : { transport: kind, address: options.path ?? String(address), port: 0 },
          );
        };
        if (options.path !== undefined) {
          // A stale socket file from a crashed process would make listen fail with EADDRINUSE.
          if (existsSync(options.path)) unlinkSync(options.path);
          srv.listen(options.path, onListening);
        } else {
          srv.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 }, onListening);
        }
      });
    },
    stopAccepting() {
      server?.close();
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server?.listening) return resolve();
        server.close(() => resolve());
      });
    },
  };
}
