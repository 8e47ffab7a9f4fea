import { createSocket } from 'node:dgram';
import { MessageQueue } from './message-queue.js';

/** A bare UDP socket aimed at one server port: sends any bytes, queues whatever comes back. */
export interface RawUdp {
  /** The local port, as the server sees it in `peer.port`. */
  readonly localPort: number;
  /** Datagrams received, in arrival order. */
  readonly received: MessageQueue<Buffer>;
  /** Sends one datagram; resolves once the kernel took it. */
  send(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Binds a UDP socket on 127.0.0.1, port 0, that talks to `127.0.0.1:port`. */
export function openRawUdp(port: number): Promise<RawUdp> {
  const socket = createSocket('udp4');
  const received = new MessageQueue<Buffer>();
  let closed = false;
  socket.on('message', (message) => received.push(message));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: '127.0.0.1', port: 0 }, () => {
      socket.off('error', reject);
      socket.on('error', () => {
        // ICMP port-unreachable after the server closed: irrelevant to the test that is ending.
      });
      resolve({
        localPort: socket.address().port,
        received,
        send: (bytes) =>
          new Promise((done, fail) => socket.send(bytes, port, '127.0.0.1', (error) => (error ? fail(error) : done()))),
        close: () =>
          new Promise((done) => {
            if (closed) return done();
            closed = true;
            socket.close(() => done());
          }),
      });
    });
  });
}
