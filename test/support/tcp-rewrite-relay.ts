import { connect, createServer, type Socket } from 'node:net';

/** Which way bytes flow through a {@link TcpRewriteRelay}. */
export type StreamDirection = 'toServer' | 'toClient';

/** A TCP relay on loopback that forwards to a server port, rewriting bytes on the way: an on-path attacker. */
export interface TcpRewriteRelay {
  readonly port: number;
  readonly url: string;
  /** Bytes replaced so far, per direction. */
  readonly rewrites: Record<StreamDirection, number>;
  /** Chunks forwarded so far, per direction: what a peer sends while otherwise silent shows here. */
  readonly chunks: Record<StreamDirection, number>;
  close(): Promise<void>;
}

/**
 * Starts a relay that replaces every occurrence of `from` with `to` (same length, so framing is
 * untouched and only content changes) in the chosen direction. An occurrence split across two
 * reads is missed: give the marker many chances (a long run of one character). Without a
 * rewrite it only forwards, and counts.
 */
export async function startTcpRewriteRelay(options: {
  serverPort: number;
  rewrite?: { direction: StreamDirection; from: string; to: string };
}): Promise<TcpRewriteRelay> {
  const from = Buffer.from(options.rewrite?.from ?? '');
  const to = Buffer.from(options.rewrite?.to ?? '');
  if (from.length !== to.length) throw new Error('from and to must have the same length');
  const rewrites: Record<StreamDirection, number> = { toServer: 0, toClient: 0 };
  const chunks: Record<StreamDirection, number> = { toServer: 0, toClient: 0 };
  const sockets = new Set<Socket>();
  const rewrite = (direction: StreamDirection, chunk: Buffer): Buffer => {
    chunks[direction]++;
    if (direction !== options.rewrite?.direction) return chunk;
    for (let at = chunk.indexOf(from); at !== -1; at = chunk.indexOf(from, at + from.length)) {
      to.copy(chunk, at);
      rewrites[direction]++;
    }
    return chunk;
  };
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: options.serverPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => upstream.write(rewrite('toServer', chunk)));
    upstream.on('data', (chunk: Buffer) => client.write(rewrite('toClient', chunk)));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    rewrites,
    chunks,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
