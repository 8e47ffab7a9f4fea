import { createServer, type Server, type Socket } from 'node:net';
import { answerRaw, createRawPackr, type RawRequest } from './raw-protocol.js';
import { RawFramedSocket } from './raw-framed-socket.js';

/** A listening raw TCP echo server. */
export interface RawTcpServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the raw `node:net` baseline: length-framed msgpack requests in, replies out, with every
 * reply produced in one event-loop turn gathered into a single write (as Volley does).
 */
export function startRawTcpServer(host = '127.0.0.1', port = 0): Promise<RawTcpServer> {
  const packr = createRawPackr();
  const sockets = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    const framed = new RawFramedSocket(socket, (payload) => {
      const [id, op, body] = packr.unpack(payload) as RawRequest;
      framed.send(packr.pack([id, answerRaw(op, body)]));
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : 0,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
