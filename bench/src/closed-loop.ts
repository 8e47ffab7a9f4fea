import type { CallOutcome } from './scenarios.js';

/** The `n`-th call of the system under test, checked; resolves when its reply has arrived. */
export type CheckedCallFn = (n: number) => Promise<CallOutcome>;

/** Options for {@link runClosedLoop}. */
export interface ClosedLoopOptions {
  /** Calls kept in flight: each finished call starts the next at once. */
  outstanding: number;
  /** Calls run but not recorded first, so JIT, sockets and buffers settle. */
  warmupMs: number;
  /** How long calls are recorded. */
  durationMs: number;
}

/** What one closed-loop run measured. */
export interface ClosedLoopResult {
  /** Correct calls that both started and finished inside the measured window. */
  calls: number;
  callsPerSecond: number;
  /** Latency of each recorded call in milliseconds, in completion order. */
  latenciesMs: Float64Array;
  /** Every call completed, right or not, warmup and final drain included (to divide CPU time by). */
  totalCalls: number;
  /** Failed and wrongly answered calls over the whole run, warmup included. */
  errors: number;
  wrongAnswers: number;
}

/**
 * Closed-loop load: `outstanding` workers each issue a call, await it, record its latency and
 * issue the next. Calls that started during warmup are not recorded; calls that finish after the
 * window are not counted. Throughput is recorded calls over the window, so the tail of warmup
 * and the drain at the end do not skew it. A failed or wrong call is counted, not recorded, and
 * the worker goes on: one bad reply should show in the table, not abort the bench.
 */
export async function runClosedLoop(call: CheckedCallFn, options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let started = 0;
  let totalCalls = 0;
  let errors = 0;
  let wrongAnswers = 0;
  const windowStart = performance.now() + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;

  const worker = async (): Promise<void> => {
    for (;;) {
      const begin = performance.now();
      if (begin >= windowEnd) return;
      const outcome = await call(started++);
      const end = performance.now();
      totalCalls++;
      if (outcome !== 'ok') {
        if (outcome === 'error') errors++;
        else wrongAnswers++;
        continue;
      }
      if (begin < windowStart || end > windowEnd) continue;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = end - begin;
    }
  };

  await Promise.all(Array.from({ length: options.outstanding }, worker));
  return {
    calls: count,
    callsPerSecond: (count / options.durationMs) * 1000,
    latenciesMs: latencies.subarray(0, count),
    totalCalls,
    errors,
    wrongAnswers,
  };
}
