import { connect, createServer, type Socket } from 'node:net';

/** Options for {@link startThrottlingTcpRelay}. */
export interface ThrottlingTcpRelayOptions {
  serverPort: number;
  /** Client → server bytes forwarded per tick, as one write. */
  chunkBytes: number;
  /** Time between two chunks: the rate is `chunkBytes` per `tickMs`. */
  tickMs: number;
}

/** A TCP relay on loopback that forwards client → server bytes at a limited rate: a slow link. */
export interface ThrottlingTcpRelay {
  readonly port: number;
  readonly url: string;
  /** Client → server: bytes and chunks forwarded so far, and when the first and last chunk left. */
  readonly toServer: { bytes: number; chunks: number; firstAt: number; lastAt: number };
  close(): Promise<void>;
}

/**
 * Starts a relay that queues what a client sends and writes it to the server `chunkBytes` at a
 * time, one chunk per `tickMs` (`performance.now()` times in `toServer`), so a client that writes
 * a burst at once reaches the server as a steady trickle whose reads end wherever a chunk ends,
 * mostly inside frames. Server → client bytes pass at once.
 */
export async function startThrottlingTcpRelay(options: ThrottlingTcpRelayOptions): Promise<ThrottlingTcpRelay> {
  const toServer = { bytes: 0, chunks: 0, firstAt: -1, lastAt: -1 };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: options.serverPort, noDelay: true });
    client.setNoDelay(true);
    let queued = Buffer.alloc(0);
    let pump: NodeJS.Timeout | undefined;
    const stopPump = () => {
      clearInterval(pump);
      if (pump !== undefined) timers.delete(pump);
      pump = undefined;
    };
    const tick = () => {
      if (queued.length === 0 || upstream.destroyed) return stopPump();
      const chunk = queued.subarray(0, options.chunkBytes);
      queued = queued.subarray(chunk.length);
      upstream.write(chunk);
      const now = performance.now();
      if (toServer.firstAt < 0) toServer.firstAt = now;
      toServer.lastAt = now;
      toServer.bytes += chunk.length;
      toServer.chunks++;
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        stopPump();
      });
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      queued = Buffer.concat([queued, chunk]);
      if (pump === undefined) {
        tick();
        pump = setInterval(tick, options.tickMs);
        timers.add(pump);
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    toServer,
    close: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
