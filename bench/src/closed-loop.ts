/** One call of the system under test; resolves when its reply has arrived. */
export type CallFn = () => Promise<unknown>;

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
  /** Calls that both started and finished inside the measured window. */
  calls: number;
  /** Length of the measured window in milliseconds. */
  elapsedMs: number;
  callsPerSecond: number;
  /** Latency of each recorded call in milliseconds, in completion order. */
  latenciesMs: Float64Array;
  /** Every call completed, warmup and final drain included (to divide CPU time by). */
  totalCalls: number;
}

/**
 * Closed-loop load: `outstanding` workers each issue a call, await it, record its latency and
 * issue the next. Calls that started during warmup are not recorded; calls that finish after the
 * window are not counted. Throughput is recorded calls over the window, so the tail of warmup
 * and the drain at the end do not skew it.
 */
export async function runClosedLoop(call: CallFn, options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let totalCalls = 0;
  const started = performance.now();
  const windowStart = started + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;

  const worker = async (): Promise<void> => {
    for (;;) {
      const begin = performance.now();
      if (begin >= windowEnd) return;
      await call();
      totalCalls++;
      const end = performance.now();
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
  const elapsedMs = options.durationMs;
  return { calls: count, elapsedMs, callsPerSecond: (count / elapsedMs) * 1000, latenciesMs: latencies.subarray(0, count), totalCalls };
}
