import { connect } from 'node:net';
import { requireHostPort } from '../address.js';
import type { AddOutput, BenchClient, ClientModule, EchoOutput } from '../system.js';
import { RawFramedSocket } from './raw-framed-socket.js';
import { createRawPackr, RAW_OP, type RawOp, type RawReply } from './raw-protocol.js';

/** The `raw-tcp` client module: many calls multiplexed on one connection, matched by id, requests coalesced per turn. */
export const connectClient: ClientModule['connectClient'] = (address) => {
  const { host, port } = requireHostPort(address, 'raw-tcp');
  const packr = createRawPackr();
  const pending = new Map<number, (body: unknown) => void>();
  let nextId = 0;
  return new Promise<BenchClient>((resolve, reject) => {
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
      const call = (op: RawOp, body: unknown): Promise<unknown> => {
        const id = nextId;
        nextId = (nextId + 1) >>> 0;
        framed.send(packr.pack([id, op, body]));
        return new Promise((settle) => pending.set(id, settle));
      };
      resolve({
        add: (input) => call(RAW_OP.add, input) as Promise<AddOutput>,
        echo: (input) => call(RAW_OP.echo, input) as Promise<EchoOutput>,
        close: async () => framed.close(),
      });
    });
  });
};
