import { connect as netConnect } from 'node:net';
import { DEFAULT_MAX_FRAME_BYTES, RpcError } from '@volley/wire';
import { createTransportStats } from '../stats.js';
import { FramedSocket } from '../stream/framed-socket.js';
import type { ClientConnection, ConnectionHandlers, PeerAddress, TransportStats } from '../types.js';

/** Where and how to open a client stream connection. */
export interface ConnectStreamOptions {
  host?: string;
  port?: number;
  /** Unix domain socket path; when set, `host` and `port` are ignored. */
  path?: string;
  maxFrameBytes?: number;
  /** Counters to add to; one set can be shared by a client's successive connections. */
  stats?: TransportStats;
  /** Gives up connecting after this many milliseconds. */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Opens a length-framed TCP or Unix-socket connection. Rejects with `UNAVAILABLE` (not executed)
 * when the server cannot be reached.
 */
export function connectStream(options: ConnectStreamOptions, handlers: ConnectionHandlers): Promise<ClientConnection> {
  const kind = options.path === undefined ? 'tcp' : 'unix';
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const stats = options.stats ?? createTransportStats();
  const target = options.path ?? `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`;
  return new Promise((resolve, reject) => {
    const socket =
      options.path === undefined
        ? netConnect({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, noDelay: true })
        : netConnect({ path: options.path });
    let timer: NodeJS.Timeout | undefined;
    const fail = (cause: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new RpcError('UNAVAILABLE', `Cannot connect to ${kind}://${target}: ${(cause as Error).message ?? cause}`, {
          cause,
          local: true,
          notExecuted: true,
        }),
      );
    };
    if (options.connectTimeoutMs !== undefined) {
      timer = setTimeout(
        () => fail(new Error(`timed out after ${options.connectTimeoutMs} ms`)),
        options.connectTimeoutMs,
      );
    }
    const onAbort = () => fail(options.signal?.reason ?? new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('error', fail);
      // A client keeps reading replies whatever its write backlog: see pauseReadingWhenCongested.
      const framed = new FramedSocket(socket, {
        maxFrameBytes,
        stats,
        pauseReadingWhenCongested: false,
        onFrame: handlers.onMessage,
        onClose: handlers.onClose,
      });
      const peer: PeerAddress =
        kind === 'unix'
          ? { transport: kind, address: options.path ?? '', port: 0 }
          : { transport: kind, address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
      resolve({
        kind,
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
