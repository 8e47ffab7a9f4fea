/**
 * A server child of the scale suite, run with `--expose-gc` so memory is read after a full
 * collection. `scale-server.ts volley` serves the bench router (echo service plus the
 * non-idempotent `addOnce`) over TCP and UDP through the public `createServer`;
 * `scale-server.ts raw` the raw `node:net` baseline over TCP (the `raw-tcp` system's server module). Reports `{tcp, udp}` when ready.
 * Commands: `settle` (collect garbage, report the JS heap), `stats` (Volley's `server.stats`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from '@volley/server';
import { pino } from 'pino';
import { benchRouter } from '../bench-router.js';
import { startServer as startRawTcpServer } from '../systems/raw/raw-tcp-server.js';
import { serveCommands } from './worker-process.js';

const HOST = '127.0.0.1';
/** The IPv4 maximum, so the UDP path never truncates (the bench's other children use the same). */
const MAX_DATAGRAM_BYTES = 65_507;

/** The JS side of memory after full collections (RSS itself is read by the parent from /proc). */
export interface SettledHeap {
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
}

async function settle(): Promise<SettledHeap> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('scale-server.ts needs --expose-gc');
  // Two passes with a pause between: the first frees objects whose finalizers (socket handles,
  // weak callbacks) release more on the next turn.
  gc();
  await sleep(50);
  gc();
  const memory = process.memoryUsage();
  return { heapUsedBytes: memory.heapUsed, externalBytes: memory.external, arrayBuffersBytes: memory.arrayBuffers };
}

const kind = process.argv[2];
if (kind === 'volley') {
  // warn, as the bench's own server child: the suite must not pay for log lines the bench does not.
  const server = createServer({ router: benchRouter, logger: pino({ level: 'warn' }) });
  const bound = await server.listen({
    tcp: { host: HOST, port: 0 },
    udp: { host: HOST, port: 0, maxDatagramBytes: MAX_DATAGRAM_BYTES },
  });
  serveCommands(
    { tcp: bound.tcp?.port ?? 0, udp: bound.udp?.port ?? 0 },
    { settle, stats: () => ({ ...server.stats, inFlight: server.inFlight }) },
  );
} else if (kind === 'raw') {
  const raw = await startRawTcpServer({ host: HOST });
  serveCommands({ tcp: 'port' in raw.address ? raw.address.port : 0, udp: 0 }, { settle });
} else {
  throw new Error(`usage: scale-server.ts volley|raw (got ${kind})`);
}
