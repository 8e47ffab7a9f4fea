import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from '@volley/router';
import { canReuseUdpPort } from '@volley/transport';
import { CLUSTER_SNAPSHOT_TIMEOUT_MS, DEFAULT_CLUSTER_STOP_TIMEOUT_MS } from '../constants.js';
import type { ListeningAddresses } from '../listen-options.js';
import type {
  ClusterPrimary,
  ClusterStats,
  ClusterUdpSharing,
  ClusterWorkerInfo,
  ServeClusterOptions,
} from './cluster-options.js';
import { choosePorts } from './cluster-ports.js';
import { ASSIGNMENT_ENV, type WorkerAssignment } from './cluster-protocol.js';
import { collectSnapshots } from './cluster-snapshots.js';
import { Slot } from './slot.js';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const EXIT_ON_SECOND_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const;
/** After every worker exited, how long stray handles may keep the primary up. */
const EXIT_AFTER_DRAIN_MS = 1_000;

/**
 * The primary side of serveCluster: chooses the ports, decides how UDP is shared, forks one
 * worker per slot, resolves once every worker listens (rejects, stopping them, if one cannot),
 * then replaces workers that die until `close()` or a stop signal drains them all.
 */
export async function runPrimary(options: ServeClusterOptions, logger: Logger): Promise<ClusterPrimary> {
  const count = options.workers ?? availableParallelism();
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`workers must be a whole number ≥ 1, got ${count}`);
  if (options.listen.memory) throw new TypeError('serveCluster cannot listen on memory: it does not cross processes');
  // Each worker's Unix transport would unlink the socket file the others listen on.
  if (options.listen.unix) throw new TypeError('serveCluster does not listen on Unix sockets: use one process');
  const udpHost = options.listen.udp?.host ?? '127.0.0.1';
  const reusePort = options.listen.udp !== undefined && (await canReuseUdpPort(udpHost));
  const udp: ClusterUdpSharing | undefined = options.listen.udp && (reusePort ? 'every-worker' : 'one-worker');
  const ports = await choosePorts(options.listen);
  if (udp === 'one-worker')
    logger.warn(
      { node: process.versions.node },
      'UDP served by worker 1 only: this Node has no dgram reusePort (22.12+, Linux): sharing one UDP socket would spread a client’s retransmissions over workers',
    );

  const stats: ClusterStats = { workerExits: 0, restarts: 0 };
  const slots = Array.from({ length: count }, (_, index) => {
    const assignment: WorkerAssignment = { id: index + 1, count, ports, udp: reusePort || index === 0, reusePort };
    return new Slot(assignment, () => cluster.fork({ [ASSIGNMENT_ENV]: JSON.stringify(assignment) }), logger);
  });
  let stopping = false;
  let allExited: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    allExited = resolve;
  });

  for (const slot of slots)
    slot.onExit = (worker, code, signal, draining) => {
      if (stopping || draining) {
        if (slots.every((each) => each.worker === undefined)) allExited();
        return;
      }
      stats.workerExits++;
      const delayMs = slot.scheduleRestart();
      logger.warn(
        { worker: slot.id, pid: worker.process.pid, code, signal, restartInMs: delayMs },
        'worker exited; replacing it',
      );
    };
  for (const slot of slots)
    slot.onRestart = () => {
      stats.restarts++;
    };

  const listening = slots.map((slot) => slot.start());
  try {
    await Promise.all(listening);
  } catch (error) {
    stopping = true;
    for (const slot of slots) slot.kill();
    throw error;
  }
  const addresses = (await listening[0]) as ListeningAddresses;
  logger.info({ workers: count, udpSharing: udp, ...urlsOf(addresses) }, 'cluster serving');

  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_CLUSTER_STOP_TIMEOUT_MS;
  let closing: Promise<void> | undefined;
  const close = (closeOptions?: { graceMs?: number }): Promise<void> => {
    closing ??= (async () => {
      stopping = true;
      logger.info({ workers: slots.filter((slot) => slot.worker).length }, 'cluster draining');
      for (const slot of slots) slot.drain(closeOptions?.graceMs, stopTimeoutMs);
      if (slots.every((slot) => slot.worker === undefined)) allExited();
      await closed;
      logger.info('cluster closed: every worker exited');
    })();
    return closing;
  };
  if (options.handleSignals !== false) handleStopSignals(close);

  return {
    role: 'primary',
    addresses,
    count,
    udp,
    stats,
    closed,
    close,
    get workers(): ClusterWorkerInfo[] {
      return slots.flatMap((slot) => slot.info ?? []);
    },
    snapshots: (snapshotOptions) =>
      collectSnapshots(
        slots.flatMap((slot) => slot.worker ?? []),
        snapshotOptions?.timeoutMs ?? CLUSTER_SNAPSHOT_TIMEOUT_MS,
      ),
  };
}

/** First signal: drain, then exit 0 once every worker is gone. Second: exit at once. */
function handleStopSignals(close: () => Promise<void>): void {
  let stopping = false;
  for (const signal of STOP_SIGNALS)
    process.on(signal, () => {
      if (stopping) process.exit(EXIT_ON_SECOND_SIGNAL[signal]);
      stopping = true;
      void close().then(() => {
        process.exitCode = 0;
        setTimeout(() => process.exit(0), EXIT_AFTER_DRAIN_MS).unref();
      });
    });
}

function urlsOf(addresses: ListeningAddresses): Record<string, string> {
  return Object.fromEntries(
    Object.entries(addresses).map(([kind, bound]) => {
      const host = bound.address.includes(':') ? `[${bound.address}]` : bound.address;
      return [kind, kind === 'unix' ? `unix://${bound.address}` : `${kind}://${host}:${bound.port}`];
    }),
  );
}
