import type { Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServerSnapshot } from '../observe/server-snapshot.js';
import { createServerStats } from '../server-stats.js';
import { collectSnapshots, type SnapshotReport, type SnapshotRequest } from './cluster-snapshots.js';

afterEach(() => {
  vi.useRealTimers();
});

function snapshotOf(id: number): ServerSnapshot {
  return { calls: { startedAt: 0, series: [] }, stats: createServerStats({ id, count: 3 }) };
}

/** A worker as the primary sees it: answers each request (or not) the way `answer` says. */
function fakeWorker(answer: 'at-once' | 'never' | 'disconnected', id: number): Worker & { requests: number } {
  const worker = Object.assign(new EventEmitter(), {
    requests: 0,
    isConnected: () => answer !== 'disconnected',
    send(message: SnapshotRequest, callback?: (error: Error | null) => void) {
      worker.requests++;
      callback?.(null);
      if (answer === 'at-once') {
        const report: SnapshotReport = { volley: 'snapshot', id: message.id, snapshot: snapshotOf(id) };
        // A stale answer to an earlier request, then the right one: only the right one counts.
        queueMicrotask(() => worker.emit('message', { ...report, id: message.id - 1 }));
        queueMicrotask(() => worker.emit('message', report));
      }
      return true;
    },
  });
  return worker as unknown as Worker & { requests: number };
}

describe('collectSnapshots', () => {
  it('gathers the workers that answer, and leaves out one that does not answer in time', async () => {
    vi.useFakeTimers();
    const workers = [fakeWorker('at-once', 1), fakeWorker('never', 2), fakeWorker('at-once', 3)];
    const collected = collectSnapshots(workers, 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await collected).map((snapshot) => snapshot.stats.worker?.id)).toEqual([1, 3]);
    // Nothing left listening on the worker that never answered.
    expect(workers[1]?.listenerCount('message')).toBe(0);
  });

  it('does not ask a worker whose channel is closed', async () => {
    const gone = fakeWorker('disconnected', 1);
    expect(await collectSnapshots([gone], 1_000)).toEqual([]);
    expect(gone.requests).toBe(0);
  });

  it('stops waiting for a worker that exits', async () => {
    const dying = fakeWorker('never', 1);
    const collected = collectSnapshots([dying], 60_000);
    dying.emit('exit', 1, null);
    expect(await collected).toEqual([]);
  });
});
