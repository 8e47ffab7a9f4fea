import type { ServerModule } from '../system.js';
import { startVolleyServer } from './volley-server.js';

/** The `volley-unix` server module: the stream transport on a Unix socket the harness names. */
export const startServer: ServerModule['startServer'] = async ({ path }) => {
  if (path === undefined) throw new TypeError('volley-unix needs a socket path');
  const server = await startVolleyServer({ unix: { path } });
  return { address: { path }, close: server.close };
};
