import cluster from 'node:cluster';
import type { Logger } from '@volley/router';
import type { ListeningAddresses, ListenOptions } from '../listen-options.js';
import type { ClusterWorker, ServeClusterOptions } from './cluster-options.js';
import { type DrainOrder, isVolleyMessage, type WorkerAssignment, type WorkerReport } from './cluster-protocol.js';
import { answerSnapshotRequests } from './cluster-snapshots.js';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** 128 + the signal's number, as `volley serve` exits on a second signal. */
const EXIT_ON_SECOND_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const;
/** After the drain, how long stray handles of the user's module may keep the worker up. */
const EXIT_AFTER_DRAIN_MS = 1_000;

/**
 * The worker side of serveCluster: builds the server, listens on the ports the primary chose
 * and reports back; then drains and exits when the primary says so, on a stop signal, or when
 * the primary is gone (its IPC channel closed), so a worker never outlives its supervisor.
 */
export async function runWorker(
  options: ServeClusterOptions,
  assignment: WorkerAssignment,
  logger: Logger,
): Promise<ClusterWorker> {
  const worker = { id: assignment.id, count: assignment.count };
  const log = logger.child({ worker: worker.id });
  const server = await options.create({ worker });
  answerSnapshotRequests(server);
  let stopping: Promise<void> | undefined;
  const stop = (why: string, graceMs?: number): Promise<void> => {
    stopping ??= (async () => {
      log.info({ why }, 'worker draining');
      await server.close(graceMs === undefined ? undefined : { graceMs });
      if (process.connected) cluster.worker?.disconnect();
      // Drained: exit even if the user's module holds the event loop open (a timer, a pool).
      setTimeout(() => process.exit(0), EXIT_AFTER_DRAIN_MS).unref();
    })();
    return stopping;
  };
  watchPrimary(stop, log);
  if (options.handleSignals !== false) {
    for (const signal of STOP_SIGNALS)
      process.on(signal, () => {
        if (stopping) process.exit(EXIT_ON_SECOND_SIGNAL[signal]);
        void stop(signal);
      });
  }

  let addresses: ListeningAddresses;
  try {
    addresses = await server.listen(workerListen(options.listen, assignment));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    report({ volley: 'listen-failed', message: (error as Error).message, ...(code !== undefined && { code }) });
    await server.close({ graceMs: 0 });
    throw error;
  }
  report({ volley: 'listening', incarnation: server.incarnation, addresses });
  return { role: 'worker', worker, server, addresses };
}

/** The worker's listen options: the primary's ports; UDP with SO_REUSEPORT, or not at all. */
function workerListen(listen: ListenOptions, assignment: WorkerAssignment): ListenOptions {
  const { ports } = assignment;
  const { udp, tcp, tls, ...rest } = listen;
  return {
    ...rest,
    ...(udp && assignment.udp && { udp: { ...udp, port: ports.udp, reusePort: assignment.reusePort } }),
    ...(tcp && { tcp: { ...tcp, port: ports.tcp } }),
    ...(tls && { tls: { ...tls, port: ports.tls } }),
  };
}

/**
 * Drain orders from the primary, and its death. Node's cluster makes a worker whose channel
 * closes unexpectedly exit at once (`process.exit(0)` right after the worker's `disconnect`
 * event), dropping the replies of calls in flight. Marking the disconnect as expected in that
 * event lets the worker drain first, bounded by its server's grace period, then exit.
 */
function watchPrimary(stop: (why: string, graceMs?: number) => Promise<void>, log: Logger): void {
  const self = cluster.worker;
  if (self === undefined) return;
  self.on('message', (message: unknown) => {
    if (isVolleyMessage<DrainOrder>(message) && message.volley === 'drain') void stop('primary', message.graceMs);
  });
  self.on('disconnect', () => {
    if (self.exitedAfterDisconnect) return;
    self.exitedAfterDisconnect = true;
    log.warn('primary gone (IPC channel closed): draining and exiting');
    void stop('primary gone');
  });
}

function report(message: WorkerReport): void {
  if (process.connected) process.send?.(message);
}
