import { createSocket } from 'node:dgram';
import { answerRaw, createRawPackr, type RawRequest } from './raw-protocol.js';

/** Kernel socket buffers asked for, as Volley asks for (DEFAULT_UDP_RECV_BUFFER_BYTES), so neither side drops more for lack of them. */
export const RAW_UDP_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** A bound raw UDP echo server. */
export interface RawUdpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the raw `node:dgram` baseline: one msgpack datagram in, one out. */
export function startRawUdpServer(host = '127.0.0.1', port = 0): Promise<RawUdpServer> {
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
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port }, () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.setRecvBufferSize(RAW_UDP_SOCKET_BUFFER_BYTES);
      socket.setSendBufferSize(RAW_UDP_SOCKET_BUFFER_BYTES);
      resolve({ port: socket.address().port, close: () => new Promise<void>((done) => socket.close(() => done())) });
    });
  });
}
