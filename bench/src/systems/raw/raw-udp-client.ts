import { createSocket } from 'node:dgram';
import { requireHostPort } from '../address.js';
import type { AddOutput, BenchClient, ClientModule, EchoOutput } from '../system.js';
import { createRawPackr, RAW_OP, RAW_UDP_SOCKET_BUFFER_BYTES, type RawOp, type RawReply } from './raw-protocol.js';

/** A request with no reply after this long is sent again (loopback RTTs are well under 1 ms). */
export const RAW_UDP_RESEND_AFTER_MS = 200;
/** How often the one resend sweep looks for overdue requests. */
const RESEND_SWEEP_MS = 50;

interface RawPendingCall {
  readonly bytes: Buffer;
  sentAt: number;
  readonly settle: (body: unknown) => void;
}

/**
 * The `raw-udp` client module: one datagram per request, replies matched by id. Loss is handled
 * by the simplest thing that never stalls: a sweep resends anything unanswered after 200 ms.
 */
export const connectClient: ClientModule['connectClient'] = (address) => {
  const { host, port } = requireHostPort(address, 'raw-udp');
  const packr = createRawPackr();
  const pending = new Map<number, RawPendingCall>();
  const socket = createSocket('udp4');
  let nextId = 0;
  let resends = 0;
  socket.on('message', (message, rinfo) => {
    if (rinfo.port !== port) return;
    const [id, body] = packr.unpack(message) as RawReply;
    const call = pending.get(id);
    if (call === undefined) return;
    pending.delete(id);
    call.settle(body);
  });
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const call of pending.values()) {
      if (now - call.sentAt < RAW_UDP_RESEND_AFTER_MS) continue;
      resends++;
      call.sentAt = now;
      socket.send(call.bytes, port, host);
    }
  }, RESEND_SWEEP_MS);
  sweep.unref();
  const call = (op: RawOp, body: unknown): Promise<unknown> => {
    const id = nextId;
    nextId = (nextId + 1) >>> 0;
    const bytes = packr.pack([id, op, body]);
    socket.send(bytes, port, host);
    return new Promise((settle) => pending.set(id, { bytes, sentAt: performance.now(), settle }));
  };
  return new Promise<BenchClient>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: '127.0.0.1', port: 0 }, () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.setRecvBufferSize(RAW_UDP_SOCKET_BUFFER_BYTES);
      socket.setSendBufferSize(RAW_UDP_SOCKET_BUFFER_BYTES);
      resolve({
        add: (input) => call(RAW_OP.add, input) as Promise<AddOutput>,
        echo: (input) => call(RAW_OP.echo, input) as Promise<EchoOutput>,
        resends: () => resends,
        close: () =>
          new Promise<void>((done) => {
            clearInterval(sweep);
            socket.close(() => done());
          }),
      });
    });
  });
};
