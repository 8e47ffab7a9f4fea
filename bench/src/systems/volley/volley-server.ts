import {
  createServer,
  type ListeningAddresses,
  type ListenOptions,
  type Server,
  type ServerOptions,
} from '@volley/server';
import { pino } from 'pino';
import { benchRouter } from '../../bench-router.js';

/** A started Volley bench server: where it bound, and how to stop it. */
export interface VolleyBenchServer {
  readonly server: Server;
  readonly bound: ListeningAddresses;
  close(): Promise<void>;
}

/**
 * Serves the bench router (echo service + `addOnce`, input and output validated by zod) through
 * the public `createServer`, logging at `warn` as a production server would.
 */
export async function startVolleyServer(
  listen: ListenOptions,
  options: Omit<ServerOptions, 'router' | 'logger'> = {},
): Promise<VolleyBenchServer> {
  const server = createServer({ ...options, router: benchRouter, logger: pino({ level: 'warn' }) });
  const bound = await server.listen(listen);
  return { server, bound, close: () => server.close({ graceMs: 100 }) };
}
