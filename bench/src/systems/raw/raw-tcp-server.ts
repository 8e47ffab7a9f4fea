import { createServer, type Server, type Socket } from 'node:net';
import type { RunningServer, ServerModule } from '../system.js';
import { RawFramedSocket } from './raw-framed-socket.js';
import { answerRaw, createRawPackr, type RawRequest } from './raw-protocol.js';

/**
 * The `raw-tcp` server module: `node:net`, length-framed msgpack requests in, replies out, with
 * every reply produced in one event-loop turn gathered into a single write (as Volley does).
 */
export const startServer: ServerModule['startServer'] = ({ host }) => {
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
  return new Promise<RunningServer>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const bound = server.address();
      resolve({
        address: { host, port: typeof bound === 'object' && bound !== null ? bound.port : 0 },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
};
