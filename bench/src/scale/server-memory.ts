import { readRssBytes } from './proc-status.js';
import type { MemoryReading } from './scale-results.js';
import type { SettledHeap } from './scale-server.js';
import type { WorkerProcess } from './worker-process.js';

/** RSS readings closer than this (relative) count as stable: page faults settle within a few passes. */
const STABLE_FRACTION = 0.005;
const MAX_READINGS = 5;

/**
 * The server child's memory after full collections: asks it to collect garbage, then reads its
 * VmRSS from outside, and repeats until two readings agree within 0.5 % (at most 5 times).
 */
export async function readSettledMemory(server: WorkerProcess<unknown>): Promise<MemoryReading> {
  let previous = Number.NaN;
  let reading: MemoryReading | undefined;
  for (let i = 0; i < MAX_READINGS; i++) {
    const heap = await server.call<SettledHeap>('settle');
    const rssBytes = readRssBytes(server.pid);
    reading = { rssBytes, heapUsedBytes: heap.heapUsedBytes, arrayBuffersBytes: heap.arrayBuffersBytes };
    if (Math.abs(rssBytes - previous) <= previous * STABLE_FRACTION) break;
    previous = rssBytes;
  }
  return reading as MemoryReading;
}

/** Polls `read` every 20 ms until `done` holds; throws after `timeoutMs`, naming `what`. */
export async function waitUntil<T>(
  read: () => T,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const giveUpAt = performance.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (done(value)) return value;
    if (performance.now() > giveUpAt)
      throw new Error(`${what} (last seen: ${JSON.stringify(value)}) after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
