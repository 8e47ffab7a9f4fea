import { connect, type Socket } from 'node:net';
import { encodeAddFrame, firstFrame, isAddReply, type StreamProtocol } from './wire-requests.js';

/** Options for {@link openIdleConnections}. */
export interface OpenIdleConnectionsOptions {
  port: number;
  host?: string;
  protocol: StreamProtocol;
  count: number;
  /**
   * Connections being set up at once. Bounded so the server's accept backlog (511 by default in
   * Node) never overflows: a dropped SYN is retried only after a 1 s kernel timeout.
   */
  concurrency: number;
  /** A connection that has not answered its call within this long fails the whole batch. */
  timeoutMs?: number;
}

const DEFAULT_SETUP_TIMEOUT_MS = 15_000;

/**
 * Opens `count` TCP connections and makes one `add` call on each, so every connection is fully
 * set up on the server (accepted, framed, its call answered) before it goes idle; the sockets are
 * pushed onto `into` and left open. Resolves when every connection has its reply. On failure the
 * sockets already open stay in `into`, for the caller to close.
 */
export async function openIdleConnections(options: OpenIdleConnectionsOptions, into: Socket[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.count) {
      const msgid = next++;
      into.push(await openOne(options, msgid));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker));
}

function openOne(options: OpenIdleConnectionsOptions, msgid: number): Promise<Socket> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: options.host ?? '127.0.0.1', port: options.port });
    let received = Buffer.alloc(0);
    const timer = setTimeout(
      () => finish(new Error(`connection ${msgid}: no reply within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      if (error === undefined) return resolve(socket);
      socket.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const payload = firstFrame(received);
      if (payload === undefined) return;
      finish(
        isAddReply(options.protocol, payload, msgid)
          ? undefined
          : new Error(`connection ${msgid}: unexpected reply ${payload.toString('hex')}`),
      );
    };
    socket.on('data', onData);
    // Errors after set-up (the server going away at the end) are expected: swallow them.
    socket.on('error', (error) => finish(error));
    socket.once('connect', () => socket.write(encodeAddFrame(options.protocol, msgid)));
  });
}

/** Destroys every socket in `sockets` and empties it. */
export function closeAll(sockets: Socket[]): void {
  for (const socket of sockets) socket.destroy();
  sockets.length = 0;
}
