import cluster, { type Worker } from 'node:cluster';
import { type ServerSnapshot, snapshotServer } from '../observe/server-snapshot.js';
import type { Server } from '../server.js';
import { isVolleyMessage } from './cluster-protocol.js';

/** Primary → worker: send your server's figures, quoting `id`. */
export interface SnapshotRequest {
  readonly volley: 'snapshot?';
  readonly id: number;
}

/** Worker → primary: the figures asked for by request `id`. */
export interface SnapshotReport {
  readonly volley: 'snapshot';
  readonly id: number;
  readonly snapshot: ServerSnapshot;
}

/**
 * In a worker: answers the primary's snapshot requests with `server`'s figures. The snapshot is
 * taken when the request arrives, so a scrape sees each worker as of that moment.
 */
export function answerSnapshotRequests(server: Server): void {
  cluster.worker?.on('message', (message: unknown) => {
    if (!isVolleyMessage<SnapshotRequest>(message) || message.volley !== 'snapshot?') return;
    const report: SnapshotReport = { volley: 'snapshot', id: message.id, snapshot: snapshotServer(server) };
    if (process.connected) process.send?.(report);
  });
}

let nextRequestId = 1;

/**
 * In the primary: every worker's figures, as answered within `timeoutMs`. A worker that does not
 * answer in time (busy, starting, exiting) is left out of this collection rather than holding
 * the scrape: its series are missing once, and its counters are whole again the next time.
 */
export async function collectSnapshots(workers: readonly Worker[], timeoutMs: number): Promise<ServerSnapshot[]> {
  const answers = await Promise.all(workers.map((worker) => requestSnapshot(worker, timeoutMs)));
  return answers.filter((answer) => answer !== undefined);
}

function requestSnapshot(worker: Worker, timeoutMs: number): Promise<ServerSnapshot | undefined> {
  if (!worker.isConnected()) return Promise.resolve(undefined);
  const id = nextRequestId++;
  return new Promise((resolve) => {
    const done = (snapshot: ServerSnapshot | undefined) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(snapshot);
    };
    const onMessage = (message: unknown) => {
      if (isVolleyMessage<SnapshotReport>(message) && message.volley === 'snapshot' && message.id === id)
        done(message.snapshot);
    };
    const onExit = () => done(undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    const request: SnapshotRequest = { volley: 'snapshot?', id };
    // A channel that closes meanwhile fails the send through its callback, not an 'error' event.
    worker.send(request, (error) => {
      if (error) done(undefined);
    });
  });
}
