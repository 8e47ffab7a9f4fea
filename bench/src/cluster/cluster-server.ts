/**
 * `npm run bench:cluster`'s server: the bench router on `workers` processes with serveCluster,
 * UDP and TCP on one port. Forked with IPC by main.ts; the same file runs as every worker.
 * The primary sends `{port, pids}` (its own pid first) once all listen, and closes on `close`.
 */
import { createServer, serveCluster } from '@volley/server';
import { pino } from 'pino';
import { benchRouter } from '../bench-router.js';

const workers = Number(process.argv[2] ?? 1);
const logger = pino({ level: 'warn' });
const served = await serveCluster({
  workers,
  listen: {
    udp: { host: '127.0.0.1', port: 0 },
    tcp: { host: '127.0.0.1', port: 0 },
  },
  create: () => createServer({ router: benchRouter, logger }),
  logger,
  // The bench parent owns this process's life: it sends `close`.
  handleSignals: false,
});
if (served.role === 'primary') {
  process.send?.({
    port: served.addresses.tcp?.port,
    udp: served.udp,
    pids: [process.pid, ...served.workers.map((worker) => worker.pid)],
  });
  process.on('message', (message) => {
    if (message === 'close') void served.close({ graceMs: 100 }).then(() => process.exit(0));
  });
}
