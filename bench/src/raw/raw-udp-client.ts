import { createSocket } from 'node:dgram';
import { createRawPackr, type RawReply } from './raw-protocol.js';
import type { RawClient } from './raw-tcp-client.js';
import { RAW_UDP_SOCKET_BUFFER_BYTES } from './raw-udp-server.js';

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
 * Opens the raw UDP client: one datagram per request, replies matched by id. Loss is handled by
 * the simplest thing that never stalls: a sweep resends anything unanswered after 200 ms.
 */
export function connectRawUdp(port: number, host = '127.0.0.1'): Promise<RawClient> {
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
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: '127.0.0.1', port: 0 }, () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.setRecvBufferSize(RAW_UDP_SOCKET_BUFFER_BYTES);
      socket.setSendBufferSize(RAW_UDP_SOCKET_BUFFER_BYTES);
      resolve({
        get resends() {
          return resends;
        },
        call(op, body) {
          const id = nextId;
          nextId = (nextId + 1) >>> 0;
          const bytes = packr.pack([id, op, body]);
          socket.send(bytes, port, host);
          return new Promise((settle) => pending.set(id, { bytes, sentAt: performance.now(), settle }));
        },
        close() {
          clearInterval(sweep);
          socket.close();
        },
      });
    });
  });
}
