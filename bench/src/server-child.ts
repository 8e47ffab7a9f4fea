/**
 * A benchmark server in its own process, so client and server each get a core.
 * `server-child.ts volley` serves the echo router plus `addOnce` (bench-router.ts);
 * `server-child.ts raw` the raw baselines.
 * Reports `{ tcp, udp }` ports over IPC, then waits for `'stop'` (or the parent going away).
 */
import { createServer } from '@volley/server';
import { pino } from 'pino';
import { benchRouter } from './bench-router.js';
import { startRawTcpServer } from './raw/raw-tcp-server.js';
import { startRawUdpServer } from './raw/raw-udp-server.js';
import { BENCH_MAX_DATAGRAM_BYTES } from './scenarios.js';
import type { ServerPorts } from './spawn-server.js';

const HOST = '127.0.0.1';

async function startVolley(): Promise<{ ports: ServerPorts; close(): Promise<void> }> {
  const server = createServer({ router: benchRouter, logger: pino({ level: 'warn' }) });
  const bound = await server.listen({ udp: { host: HOST, port: 0, maxDatagramBytes: BENCH_MAX_DATAGRAM_BYTES }, tcp: { host: HOST, port: 0 } });
  return { ports: { tcp: bound.tcp?.port ?? 0, udp: bound.udp?.port ?? 0 }, close: () => server.close({ graceMs: 100 }) };
}

async function startRaw(): Promise<{ ports: ServerPorts; close(): Promise<void> }> {
  const tcp = await startRawTcpServer(HOST);
  const udp = await startRawUdpServer(HOST);
  return { ports: { tcp: tcp.port, udp: udp.port }, close: async () => void (await Promise.all([tcp.close(), udp.close()])) };
}

const kind = process.argv[2];
if (kind !== 'volley' && kind !== 'raw') throw new Error(`usage: server-child.ts volley|raw (got ${kind})`);
if (process.send === undefined) throw new Error('server-child.ts must be started with an IPC channel (child_process.fork)');
const running = kind === 'volley' ? await startVolley() : await startRaw();

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  // process.exit (not a signal) so that --cpu-prof gets to write its profile.
  void running.close().finally(() => process.exit(0));
};
process.on('message', (message) => {
  if (message === 'stop') stop();
  // Whole-process CPU (all threads, user + system), for the bench's CPU-per-call figures.
  else if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
process.on('disconnect', stop);
process.send({ ready: true, ports: running.ports });
