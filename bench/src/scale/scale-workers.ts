import { forkWorker, type WorkerProcess } from './worker-process.js';

const SERVER_ENTRY = new URL('./scale-server.ts', import.meta.url);
const CLIENT_ENTRY = new URL('./scale-client.ts', import.meta.url);

/** Ports a scale server child listens on (`udp` is 0 for the raw server, TCP only). */
export interface ScaleServerPorts {
  tcp: number;
  udp: number;
}

/**
 * Forks a scale server child (scale-server.ts). Memory measurements pass `exposeGc`, so readings
 * follow a full collection; throughput runs leave node's flags as the bench has them.
 */
export function forkScaleServer(
  kind: 'raw' | 'volley',
  options: { exposeGc: boolean },
): Promise<WorkerProcess<ScaleServerPorts>> {
  return forkWorker<ScaleServerPorts>(SERVER_ENTRY, [kind], options.exposeGc ? ['--expose-gc'] : []);
}

/** Forks a load-generating client child (scale-client.ts). */
export function forkScaleClient(): Promise<WorkerProcess<unknown>> {
  return forkWorker<unknown>(CLIENT_ENTRY, []);
}
