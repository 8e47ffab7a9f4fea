import type { ReplyCacheResult } from './scale-results.js';
import { forkScaleClient, forkScaleServer } from './scale-workers.js';
import { readSettledMemory } from './server-memory.js';
import type { DistinctClientsResult } from './udp-clients.js';
import { startOne, stopAll, type WorkerProcess } from './worker-process.js';

/** Idempotent UDP calls before the baseline: pays JIT and lazy set-up, keeps nothing in the cache. */
const WARMUP_CALLS = 2_000;
/** The Volley client's own limit on calls outstanding per client (DEFAULT_MAX_OUTSTANDING). */
const IN_FLIGHT = 256;
/**
 * Deadline sent with each call. Replies are kept for it plus 5 s; 60 s keeps every entry alive for
 * the whole run even on a slow machine (with 10 s the first ones could expire before the last are
 * stored). Entry size does not depend on it.
 */
const DEADLINE_MS = 60_000;

interface VolleyStats {
  replyCacheEntries: number;
  replyCacheBytes: number;
  replyCacheEvictions: number;
}

/**
 * Reply cache memory: a Volley server child answers `addOnce` (not idempotent, so over UDP every
 * reply is kept for retransmissions) for `clients` distinct client ids, and reports its cache
 * figures; server RSS and heap are read before and after, each after garbage collection.
 */
export async function measureReplyCache(clients: number, log: (line: string) => void): Promise<ReplyCacheResult> {
  const workers: WorkerProcess<unknown>[] = [];
  try {
    const server = await startOne(forkScaleServer('volley', { exposeGc: true }), workers);
    const client = await startOne(forkScaleClient(), workers);
    const port = server.ready.udp;

    await client.call('udp', {
      port,
      procedure: 'add',
      count: WARMUP_CALLS,
      inFlight: IN_FLIGHT,
      deadlineMs: DEADLINE_MS,
    });
    const before = await readSettledMemory(server);
    const run = await client.call<DistinctClientsResult>('udp', {
      port,
      procedure: 'addOnce',
      count: clients,
      inFlight: IN_FLIGHT,
      deadlineMs: DEADLINE_MS,
    });
    log(`  ${run.answered} calls answered in ${(run.elapsedMs / 1000).toFixed(1)} s, ${run.resends} resent`);
    const stats = await server.call<VolleyStats>('stats');
    const after = await readSettledMemory(server);
    return {
      clients,
      answered: run.answered,
      resends: run.resends,
      errors: run.errors,
      cacheEntries: stats.replyCacheEntries,
      cacheBytes: stats.replyCacheBytes,
      cacheEvictions: stats.replyCacheEvictions,
      elapsedMs: run.elapsedMs,
      before,
      after,
    };
  } finally {
    await stopAll(workers);
  }
}
