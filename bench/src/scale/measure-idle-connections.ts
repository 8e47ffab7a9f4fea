import { planConnections } from './connection-plan.js';
import { countOpenFds, readOpenFilesLimit } from './proc-status.js';
import type { IdleConnectionsResult } from './scale-results.js';
import { forkScaleClient, forkScaleServer } from './scale-workers.js';
import { readSettledMemory, waitUntil } from './server-memory.js';
import { startAll, startOne, stopAll, type WorkerProcess } from './worker-process.js';

/** Connections opened and closed before the baseline, so lazy set-up and JIT are paid before it. */
const WARMUP_CONNECTIONS = 200;
/** Connections being set up at once per client child (see OpenIdleConnectionsOptions.concurrency). */
const SETUP_CONCURRENCY = 64;
const SERVER_SEES_CLOSES_MS = 10_000;

/**
 * Server RSS per idle TCP connection: a server child (Volley or the raw `node:net` floor), a
 * warmup, a baseline after garbage collection, then `wanted` connections opened from client
 * children, each after one answered call, and a second reading. The difference over the number of
 * connections is what one idle connection costs the server.
 */
export async function measureIdleConnections(
  system: 'raw' | 'volley',
  wanted: number,
  log: (line: string) => void,
): Promise<IdleConnectionsResult> {
  const plan = planConnections(wanted, readOpenFilesLimit());
  if (plan.connections < wanted)
    log(`  open-files limit ${readOpenFilesLimit()}: opening ${plan.connections} connections, not ${wanted}`);
  const workers: WorkerProcess<unknown>[] = [];
  try {
    const server = await startOne(forkScaleServer(system, { exposeGc: true }), workers);
    const clients = await startAll(
      plan.perClient.map(() => forkScaleClient()),
      workers,
    );
    const [first] = clients;
    if (first === undefined) throw new Error('no client child: the open-files limit leaves no room for connections');
    const port = server.ready.tcp;

    const fdsIdle = countOpenFds(server.pid);
    await first.call('open', { port, protocol: system, count: WARMUP_CONNECTIONS, concurrency: SETUP_CONCURRENCY });
    await first.call('closeAll');
    await waitUntil(
      () => countOpenFds(server.pid),
      (fds) => fds <= fdsIdle,
      SERVER_SEES_CLOSES_MS,
      'server still holds warmup connections',
    );
    const before = await readSettledMemory(server);

    const started = performance.now();
    await Promise.all(
      clients.map((client, i) =>
        client.call('open', { port, protocol: system, count: plan.perClient[i], concurrency: SETUP_CONCURRENCY }),
      ),
    );
    const setupMs = performance.now() - started;
    const serverFdsOpened = countOpenFds(server.pid) - fdsIdle;
    const after = await readSettledMemory(server);
    return {
      system,
      connections: plan.connections,
      clientProcesses: clients.length,
      serverFdsOpened,
      setupMs,
      before,
      after,
    };
  } finally {
    await stopAll(workers);
  }
}
