import type { ServerModule } from '../system.js';
import { startVolleyServer } from './volley-server.js';

/** The `volley-tcp` server module. */
export const startServer: ServerModule['startServer'] = async ({ host }) => {
  const server = await startVolleyServer({ tcp: { host, port: 0 } });
  return { address: { host, port: server.bound.tcp?.port ?? 0 }, close: server.close };
};
