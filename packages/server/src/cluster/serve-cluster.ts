import cluster from 'node:cluster';
import type { Logger } from '@volley/router';
import { pino } from 'pino';
import type { ClusterPrimary, ClusterWorker, ServeClusterOptions } from './cluster-options.js';
import { runPrimary } from './cluster-primary.js';
import { takeWorkerAssignment } from './cluster-protocol.js';
import { runWorker } from './cluster-worker.js';

/**
 * Serves a router on several processes (node:cluster), UDP and TCP on one port. Call it from the
 * program's entry point; node:cluster runs that same program in every worker.
 *
 * - In the primary it chooses the ports, forks `workers` processes (default: the cores
 *   available), resolves once all listen, replaces a worker that dies (with a backoff), and on
 *   SIGTERM/SIGINT or `close()` drains them all; it serves nothing itself.
 * - In a worker it calls `create()`, listens and resolves to the server.
 *
 * TCP connections are spread by node:cluster (round robin in the primary, on every Node). UDP
 * is served by every worker through its own SO_REUSEPORT socket where dgram has `reusePort`
 * (Node 22.12+ on Linux), which keeps one client on one worker; elsewhere (Node 20) by worker 1
 * only, because a socket shared by all workers would spread one client's retransmissions over
 * processes whose reply caches do not know each other's calls. See docs/deploying.md.
 * @example
 * const served = await serveCluster({
 *   listen: { udp: { host: '0.0.0.0', port: 4000 }, tcp: { host: '0.0.0.0', port: 4000 } },
 *   create: () => createServer({ router: app }),
 * });
 * if (served.role === 'primary') console.log(`${served.count} workers on`, served.addresses);
 */
export async function serveCluster(options: ServeClusterOptions): Promise<ClusterPrimary | ClusterWorker> {
  const logger: Logger = options.logger ?? pino({ level: 'info' });
  if (cluster.isPrimary) return runPrimary(options, logger);
  const assignment = takeWorkerAssignment();
  if (assignment === undefined)
    throw new Error('serveCluster was called in a node:cluster worker that serveCluster did not fork');
  return runWorker(options, assignment, logger);
}
