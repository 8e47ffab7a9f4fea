import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BenchPhase, runBench } from './run-bench.js';

/** A fake call that settles after `ms` of (fake) time, counting calls. */
function countedCall(ms: number) {
  const state = { calls: 0 };
  const call = (): Promise<void> => {
    state.calls++;
    return new Promise((resolve) => setTimeout(resolve, ms));
  };
  return { state, call };
}

describe('runBench', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the warm-up in the same open-loop mode, drops its counts, then makes exactly --calls measured calls', async () => {
    vi.useFakeTimers();
    const { state, call } = countedCall(1);
    const phases: BenchPhase[] = [];
    const run = runBench(call, {
      mode: { kind: 'open', rate: 100, maxInFlight: 256 },
      stop: { kind: 'calls', calls: 3 },
      warmupMs: 50,
      onPhase: (phase) => phases.push(phase),
    });
    await vi.runAllTimersAsync();
    const { measured, warmup } = await run;
    // Warm-up: due at 0, 10, 20, 30, 40 ms; its last call ends at 41 ms.
    expect(warmup).toEqual({ durationMs: 41, calls: 5 });
    expect(measured.tally.calls).toBe(3);
    expect(state.calls).toBe(5 + 3);
    expect(phases.map((p) => [p.name, p.stop])).toEqual([
      ['warmup', { kind: 'duration', durationMs: 50 }],
      ['measure', { kind: 'calls', calls: 3 }],
    ]);
    expect(phases[1]?.tally).toBe(measured.tally);
    expect(phases[0]?.tally).not.toBe(measured.tally);
  });

  it('has no warm-up phase when warmupMs is 0', async () => {
    const phases: string[] = [];
    const { measured, warmup } = await runBench(async () => {}, {
      mode: { kind: 'closed', concurrency: 2 },
      stop: { kind: 'calls', calls: 4 },
      warmupMs: 0,
      onPhase: (phase) => phases.push(phase.name),
    });
    expect(warmup).toBeUndefined();
    expect(phases).toEqual(['measure']);
    expect(measured.tally.calls).toBe(4);
  });

  it('warms up a closed loop for its time, then still makes exactly --calls calls', async () => {
    const { measured, warmup } = await runBench(() => nextTurn(), {
      mode: { kind: 'closed', concurrency: 2 },
      stop: { kind: 'calls', calls: 10 },
      warmupMs: 20,
    });
    expect(warmup?.calls).toBeGreaterThan(0);
    expect(warmup?.durationMs).toBeGreaterThanOrEqual(20);
    expect(measured.tally.calls).toBe(10);
  });

  it('makes no measured call when aborted during the warm-up', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const { call } = countedCall(1);
    const run = runBench(call, {
      mode: { kind: 'open', rate: 100, maxInFlight: 256 },
      stop: { kind: 'calls', calls: 100 },
      warmupMs: 10_000,
      signal: controller.signal,
    });
    await vi.advanceTimersByTimeAsync(25);
    controller.abort();
    await vi.runAllTimersAsync();
    const { measured, warmup } = await run;
    expect(warmup?.calls).toBe(3);
    expect(measured.tally.calls).toBe(0);
  });
});
