import { createSocket } from 'node:dgram';
import type { RunningServer, ServerModule } from '../system.js';
import { answerRaw, createRawPackr, RAW_UDP_SOCKET_BUFFER_BYTES, type RawRequest } from './raw-protocol.js';

/** The `raw-udp` server module: `node:dgram`, one msgpack datagram in, one out. */
export const startServer: ServerModule['startServer'] = ({ host }) => {
  const packr = createRawPackr();
  const socket = createSocket('udp4');
  socket.on('message', (message, rinfo) => {
    let request: RawRequest;
    try {
      request = packr.unpack(message) as RawRequest;
    } catch {
      return;
    }
    const [id, op, body] = request;
    socket.send(packr.pack([id, answerRaw(op, body)]), rinfo.port, rinfo.address);
  });
  return new Promise<RunningServer>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port: 0 }, () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.setRecvBufferSize(RAW_UDP_SOCKET_BUFFER_BYTES);
      socket.setSendBufferSize(RAW_UDP_SOCKET_BUFFER_BYTES);
      resolve({
        address: { host, port: socket.address().port },
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
};
