import { once } from 'node:events';
import { connect } from 'node:net';
import Session from 'msgpack5rpc';
import { requireHostPort } from '../../address.js';
import type { BenchClient, SystemAddress } from '../../system.js';

/**
 * The msgpack5rpc peer's client: one TCP connection, one `Session`, and `session.request(method,
 * params, callback)` per call, promisified. Calls are concurrent on the connection: the session
 * numbers them (msgid) and keeps the callbacks until their replies come back, in any order.
 *
 * The session itself never fails a pending call when the socket closes, so this client keeps the
 * rejecters of outstanding calls and fails them with the socket — otherwise a dead server would
 * leave the bench waiting for ever.
 */
export async function connectClient(address: SystemAddress): Promise<BenchClient> {
  const { host, port } = requireHostPort(address, 'msgpack5rpc');
  const socket = connect({ host, port, noDelay: true });
  await once(socket, 'connect');
  const session = new Session();
  session.attach(socket, socket);

  const outstanding = new Set<(error: Error) => void>();
  socket.on('error', () => {});
  socket.on('close', () => {
    const error = new Error('msgpack5rpc connection closed');
    for (const reject of outstanding) reject(error);
    outstanding.clear();
  });

  function request(method: string, params: readonly unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      outstanding.add(reject);
      session.request(method, params, (error, result) => {
        outstanding.delete(reject);
        if (error === null || error === undefined) resolve(result);
        else reject(new Error(`msgpack5rpc ${method} failed: ${String(error)}`, { cause: error }));
      });
    });
  }

  return {
    add: async ({ a, b }) => ({ sum: (await request('add', [a, b])) as number }),
    echo: async ({ message }) => ({ message: (await request('echo', [message])) as string }),
    close: async () => {
      socket.end();
      if (!socket.closed) await once(socket, 'close');
    },
  };
}
