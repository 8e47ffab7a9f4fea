import type { ListeningAddresses } from '../listen-options.js';
import type { WorkerIdentity } from '../server-stats.js';

/**
 * What the primary tells a worker at fork, in the environment: cluster.fork's env is the one
 * channel that is there before the worker's code runs. Ports only (TLS keys and other options
 * do not travel: each worker has its own copy of the options, from the same code).
 */
export interface WorkerAssignment extends WorkerIdentity {
  /** Concrete ports, port 0 resolved by the primary. */
  readonly ports: { readonly udp?: number; readonly tcp?: number; readonly tls?: number };
  /** Whether this worker binds UDP: every worker with SO_REUSEPORT, else worker 1 only. */
  readonly udp: boolean;
  /** Bind UDP with SO_REUSEPORT. */
  readonly reusePort: boolean;
}

/** The environment variable carrying the {@link WorkerAssignment}, as JSON. */
export const ASSIGNMENT_ENV = 'VOLLEY_CLUSTER_WORKER';

/** Worker → primary, over the cluster's IPC channel. */
export type WorkerReport =
  | { readonly volley: 'listening'; readonly incarnation: number; readonly addresses: ListeningAddresses }
  | { readonly volley: 'listen-failed'; readonly message: string; readonly code?: string };

/** Primary → worker. */
export interface DrainOrder {
  readonly volley: 'drain';
  readonly graceMs?: number;
}

/** Messages of ours carry `volley`: the IPC channel is shared with the user's own messages. */
export function isVolleyMessage<T extends { volley: string }>(message: unknown): message is T {
  return (
    typeof message === 'object' && message !== null && typeof (message as { volley?: unknown }).volley === 'string'
  );
}

/**
 * This process's assignment, if the primary of serveCluster forked it. Read once and removed
 * from the environment, so child processes the worker starts do not take themselves for workers.
 */
let assignment: WorkerAssignment | null | undefined;
export function takeWorkerAssignment(): WorkerAssignment | undefined {
  if (assignment === undefined) {
    const text = process.env[ASSIGNMENT_ENV];
    delete process.env[ASSIGNMENT_ENV];
    assignment = text === undefined ? null : (JSON.parse(text) as WorkerAssignment);
  }
  return assignment ?? undefined;
}

/**
 * The worker identity `createServer` takes by default: set while serveCluster runs a worker,
 * so `create: () => createServer({ router })` reports its worker without being told.
 */
export function currentWorker(): WorkerIdentity | undefined {
  const taken = assignment ?? undefined;
  return taken && { id: taken.id, count: taken.count };
}
