import { BENCH_MAX_DATAGRAM_BYTES } from '../../constants.js';
import type { ServerModule } from '../system.js';
import { startVolleyServer } from './volley-server.js';

/** The `volley-udp` and `volley-udp-once` server module (one router serves both `add` and `addOnce`). */
export const startServer: ServerModule['startServer'] = async ({ host }) => {
  const server = await startVolleyServer({ udp: { host, port: 0, maxDatagramBytes: BENCH_MAX_DATAGRAM_BYTES } });
  return { address: { host, port: server.bound.udp?.port ?? 0 }, close: server.close };
};
