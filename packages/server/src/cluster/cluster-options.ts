import type { Logger } from '@volley/router';
import type { ListeningAddresses, ListenOptions } from '../listen-options.js';
import type { ServerSnapshot } from '../observe/server-snapshot.js';
import type { Server } from '../server.js';
import type { WorkerIdentity } from '../server-stats.js';

/** Options for {@link serveCluster}; the same object is given in the primary and in every worker. */
export interface ServeClusterOptions {
  /** Worker processes. Default: `os.availableParallelism()`, the cores this process may use. */
  workers?: number;
  /**
   * Where every worker listens. Port 0 is resolved once, in the primary, to a port free for
   * both UDP and TCP, so all workers share it. `memory` (it cannot cross processes) and `unix`
   * (each worker's transport would remove the others' socket file) are refused.
   */
  listen: ListenOptions;
  /**
   * Builds the server in each worker (never in the primary). A server created here knows its
   * worker without being told (`ServerOptions.worker` defaults to it); the identity is also given.
   */
  create: (context: { worker: WorkerIdentity }) => Server | Promise<Server>;
  /** The primary's supervision log (forks, exits, replacements) and the workers' own. Default: pino at `info`. */
  logger?: Logger;
  /**
   * Install SIGTERM/SIGINT handlers (default true): in the primary a signal drains every worker
   * and exits 0 once all have exited; in a worker it drains that worker (a terminal's Ctrl-C
   * reaches the whole group). A second signal exits at once (130 for SIGINT, 143 for SIGTERM).
   */
  handleSignals?: boolean;
  /** How long the primary waits for a draining worker to exit before killing it. Default 30 s. */
  stopTimeoutMs?: number;
}

/** How UDP is served: by every worker (SO_REUSEPORT), or by worker 1 only (no SO_REUSEPORT here). */
export type ClusterUdpSharing = 'every-worker' | 'one-worker';

/** One worker as the primary sees it now. */
export interface ClusterWorkerInfo extends WorkerIdentity {
  readonly pid: number;
  /** Its server's incarnation, once it listens. */
  readonly incarnation: number | undefined;
  /** Whether it serves UDP (every worker, or worker 1 only; see {@link ClusterUdpSharing}). */
  readonly udp: boolean;
}

/** Supervision counters of a cluster. */
export interface ClusterStats {
  /** Worker processes that exited while the cluster was serving (crashes, kills). */
  workerExits: number;
  /** Replacements forked for them. */
  restarts: number;
}

/** What {@link serveCluster} resolves to in the primary: a handle on the workers it supervises. */
export interface ClusterPrimary {
  readonly role: 'primary';
  /** Where the workers listen, port 0 resolved. */
  readonly addresses: ListeningAddresses;
  /** How many workers it keeps running. */
  readonly count: number;
  /** How UDP is spread over the workers; undefined without UDP. */
  readonly udp: ClusterUdpSharing | undefined;
  /** The workers now (a replacement keeps the id of the worker it replaces). */
  readonly workers: readonly ClusterWorkerInfo[];
  readonly stats: ClusterStats;
  /**
   * Every worker's figures now (calls per procedure and transport, `server.stats`), asked for over
   * the cluster's IPC channel: what `serverMetrics(primary)` reads. A worker that does not answer
   * within `timeoutMs` (default 1 s) is left out.
   */
  snapshots(options?: { timeoutMs?: number }): Promise<ServerSnapshot[]>;
  /**
   * Drains every worker (each runs `server.close()`: new calls refused as not executed, calls in
   * flight finish within the grace period) and resolves once all have exited. No worker is
   * replaced from then on. `graceMs` overrides each server's `closeGraceMs`.
   */
  close(options?: { graceMs?: number }): Promise<void>;
  /** Resolves once every worker has exited after `close()` or a stop signal. */
  readonly closed: Promise<void>;
}

/** What {@link serveCluster} resolves to in a worker: its server, listening. */
export interface ClusterWorker {
  readonly role: 'worker';
  readonly worker: WorkerIdentity;
  readonly server: Server;
  readonly addresses: ListeningAddresses;
}
