import type { Server } from '../server.js';
import type { ServerStats } from '../server-stats.js';
import type { CallStatsSnapshot } from './call-stats.js';

/**
 * One server's figures at one moment: its calls per procedure and transport, and its counters.
 * Plain data (JSON-safe), so a cluster's worker can send it to the primary over IPC.
 */
export interface ServerSnapshot {
  /** Undefined when the server counts no calls (`callStats: false`). */
  readonly calls: CallStatsSnapshot | undefined;
  /** A copy of `server.stats`; `stats.worker` names the worker of a cluster. */
  readonly stats: ServerStats;
}

/** Takes a {@link ServerSnapshot} of `server` now. */
export function snapshotServer(server: Server): ServerSnapshot {
  return { calls: server.callStats?.snapshot(), stats: { ...server.stats } };
}
