/**
 * One load generator of `npm run bench:cluster`, in its own process: `sockets` clients (one UDP
 * socket or TCP connection each, so the cluster can spread them over its workers), each with
 * `outstanding` `add` calls in a closed loop. Waits for `go`, runs warm-up then the measured
 * window, and sends a {@link LoadResult}; every answer is checked.
 */
import { createClient } from '@volley/client';
import type { BenchRouter } from '../bench-router.js';

export interface LoadJob {
  url: string;
  sockets: number;
  outstanding: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  calls: number;
  totalCalls: number;
  failures: number;
  /** This process's CPU (user + system) from `go` to the last call, in µs. */
  cpuMicros: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
const clients = Array.from({ length: job.sockets }, () => createClient<BenchRouter>(job.url, { tcpFallback: false }));
await Promise.all(clients.map((client) => client.add({ a: 1, b: 2 })));
process.send?.('ready');
await new Promise<void>((resolve) => process.once('message', () => resolve()));

let phase: 'warmup' | 'measure' | 'done' = 'warmup';
const result: LoadResult = { calls: 0, totalCalls: 0, failures: 0, cpuMicros: 0 };
const cpuAtGo = process.cpuUsage();
setTimeout(() => {
  phase = 'measure';
  setTimeout(() => {
    phase = 'done';
  }, job.durationMs);
}, job.warmupMs);

await Promise.all(
  clients.flatMap((client) =>
    Array.from({ length: job.outstanding }, async (_, lane) => {
      for (let a = lane; phase !== 'done'; a++) {
        const counted = phase === 'measure';
        try {
          const { sum } = await client.add({ a, b: 1 });
          if (sum !== a + 1) result.failures++;
          else if (counted && phase === 'measure') result.calls++;
        } catch {
          result.failures++;
        }
        result.totalCalls++;
      }
    }),
  ),
);
const cpu = process.cpuUsage(cpuAtGo);
result.cpuMicros = cpu.user + cpu.system;
await Promise.all(clients.map((client) => client.close()));
process.send?.(result, () => process.exit(0));
