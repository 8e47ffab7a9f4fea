import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import Session from 'msgpack5rpc';
import type { RunningServer } from '../../system.js';
import { toBoundPort } from '../host-port.js';

/**
 * The msgpack5rpc peer's server: a node:net server with one msgpack5rpc `Session` per connection
 * and a `request` listener dispatching on the method name, as the package's examples/server.js
 * does. Msgpack-RPC params are positional — `add(a, b)` returns the sum, `echo(message)` returns
 * the message — so the wire carries `[0, msgid, "add", [2, 3]]` and `[1, msgid, nil, 5]`.
 *
 * There is no length prefix: msgpack values delimit themselves, and the session's msgpack5 stream
 * decoder cuts them out of the byte stream. Replies go out as handlers finish, in any order, matched
 * to requests by msgid, so one connection carries many calls at once.
 */
const handlers: Record<string, (...params: any[]) => unknown> = {
  add: (a: number, b: number) => a + b,
  echo: (message: string) => message,
};

export async function startServer(options: { host: string }): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  // noDelay as every request/reply protocol over TCP sets it; with Nagle on, small replies wait
  // for the client's delayed ACK and the bench would measure the kernel's 40 ms timer.
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const session = new Session();
    session.attach(socket, socket);
    session.on('request', (method, params, response) => {
      const handler = handlers[method];
      if (handler === undefined) response.send(`no method ${method}`, true);
      else response.send(handler(...params));
    });
  });
  server.listen(0, options.host);
  await once(server, 'listening');
  return {
    address: { host: options.host, port: toBoundPort(server.address()) },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
