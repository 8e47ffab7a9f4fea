import { connect } from 'node:net';
import { createRawPackr, type RawOp, type RawReply } from './raw-protocol.js';
import { RawFramedSocket } from './raw-framed-socket.js';

/** A raw baseline client: many calls multiplexed on one connection, matched by id. */
export interface RawClient {
  call(op: RawOp, body: unknown): Promise<unknown>;
  close(): void;
  /** Datagrams resent after a timeout (always 0 over TCP). */
  readonly resends: number;
}

/** Opens the raw TCP client: requests coalesced per turn like the server's replies. */
export function connectRawTcp(port: number, host = '127.0.0.1'): Promise<RawClient> {
  const packr = createRawPackr();
  const pending = new Map<number, (body: unknown) => void>();
  let nextId = 0;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      const framed = new RawFramedSocket(socket, (payload) => {
        const [id, body] = packr.unpack(payload) as RawReply;
        const settle = pending.get(id);
        if (settle === undefined) return;
        pending.delete(id);
        settle(body);
      });
      resolve({
        resends: 0,
        call(op, body) {
          const id = nextId;
          nextId = (nextId + 1) >>> 0;
          framed.send(packr.pack([id, op, body]));
          return new Promise((settle) => pending.set(id, settle));
        },
        close: () => framed.close(),
      });
    });
  });
}
