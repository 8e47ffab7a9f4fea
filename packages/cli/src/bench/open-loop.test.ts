import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type OpenLoopOptions, runOpenLoop } from './open-loop.js';
import { LoadTally } from './tally.js';

/** A tally that also keeps each latency, in the order calls finished, to assert exact values. */
class RecordingTally extends LoadTally {
  readonly latencies: number[] = [];
  override recordOk(ms: number): void {
    this.latencies.push(ms);
    super.recordOk(ms);
  }
}

/**
 * A fake call that takes `delayMs(n)` of fake time; records the number and fake start time of
 * every call, and the most calls in flight at once.
 */
function fakeCall(delayMs: (n: number) => number = () => 1) {
  const state = { numbers: [] as number[], startTimes: [] as number[], inFlight: 0, maxInFlight: 0 };
  const call = (n: number): Promise<void> => {
    state.numbers.push(n);
    state.startTimes.push(performance.now());
    state.maxInFlight = Math.max(state.maxInFlight, ++state.inFlight);
    return new Promise((resolve) =>
      setTimeout(() => {
        state.inFlight--;
        resolve();
      }, delayMs(n)),
    );
  };
  return { state, call };
}

/** Starts a run with a recording tally; fake time does not move until the test advances it. */
function start(call: (n: number) => Promise<void>, options: Omit<OpenLoopOptions, 'tally'>) {
  const tally = new RecordingTally();
  return { tally, run: runOpenLoop(call, { ...options, tally }) };
}

describe('runOpenLoop', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts call i at i / rate: 10 calls by 95 ms at 100 calls/s', async () => {
    const { state, call } = fakeCall();
    const { run } = start(call, { rate: 100, maxInFlight: 256, stop: { kind: 'duration', durationMs: 200 } });
    await vi.advanceTimersByTimeAsync(95);
    expect(state.startTimes).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    await vi.runAllTimersAsync();
    await run;
  });

  it('starts several calls per timer tick when the interval is shorter than a millisecond, without a timer per call', async () => {
    const { state, call } = fakeCall();
    const { run } = start(call, { rate: 5000, maxInFlight: 256, stop: { kind: 'duration', durationMs: 20 } });
    await vi.advanceTimersByTimeAsync(10);
    // Due at 0, 0.2, …, 10 ms: 51 calls, started on the 11 millisecond ticks.
    expect(state.numbers).toHaveLength(51);
    expect(new Set(state.startTimes).size).toBe(11);
    // One schedule timer, plus one per fake call in flight.
    expect(vi.getTimerCount()).toBe(1 + state.inFlight);
    await vi.runAllTimersAsync();
    await run;
  });

  it('makes exactly N calls with --calls, numbered 0..N-1 for round-robin, and keeps to the rate', async () => {
    const { state, call } = fakeCall(() => 3);
    const { tally, run } = start(call, { rate: 1000, maxInFlight: 256, stop: { kind: 'calls', calls: 25 } });
    await vi.runAllTimersAsync();
    const { schedule } = await run;
    expect(state.numbers).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(tally.calls).toBe(25);
    expect(tally.latencies.every((ms) => ms === 3)).toBe(true);
    expect(schedule).toEqual({ targetRate: 1000, achievedRate: 1000, lateCalls: 0, lateAfterMs: 2 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with a duration, makes the calls due within it and lets the last ones finish', async () => {
    const { state, call } = fakeCall(() => 25);
    const { tally, run } = start(call, { rate: 100, maxInFlight: 256, stop: { kind: 'duration', durationMs: 100 } });
    await vi.runAllTimersAsync();
    const { durationMs, schedule } = await run;
    // Due at 0, 10, …, 90 ms; 100 ms is the end, not within.
    expect(state.numbers).toHaveLength(10);
    expect(tally.calls).toBe(10);
    expect(durationMs).toBe(90 + 25);
    expect(schedule.achievedRate).toBe(100);
  });

  it('keeps starting calls on schedule while an earlier call stalls (the open loop does not wait)', async () => {
    const { state, call } = fakeCall((n) => (n === 0 ? 100 : 1));
    const { tally, run } = start(call, { rate: 100, maxInFlight: 256, stop: { kind: 'calls', calls: 5 } });
    await vi.runAllTimersAsync();
    await run;
    expect(state.startTimes).toEqual([0, 10, 20, 30, 40]);
    expect(tally.latencies).toEqual([1, 1, 1, 1, 100]);
  });

  it('times a call held back by the cap from its intended time, and counts it late', async () => {
    // One call in flight at most, each taking 10 ms, one due every 1 ms: call 1 is due at 1 ms but
    // starts at 10 ms when call 0 finishes, and ends at 20 ms: 19 ms from when it should have started.
    const { state, call } = fakeCall(() => 10);
    const { tally, run } = start(call, { rate: 1000, maxInFlight: 1, stop: { kind: 'calls', calls: 3 } });
    await vi.runAllTimersAsync();
    const { schedule } = await run;
    expect(state.maxInFlight).toBe(1);
    expect(state.startTimes).toEqual([0, 10, 20]);
    expect(tally.latencies).toEqual([10, 19, 28]);
    expect(schedule.lateCalls).toBe(2);
    expect(schedule.achievedRate).toBeCloseTo((3 * 1000) / 21, 9);
  });

  it('charges a stall to every call queued behind it, where a closed loop would record one slow call', async () => {
    // Cap 1 and call 0 stalls for 100 ms: calls due at 10, 20, 30, 40 ms start only when it ends.
    const { call } = fakeCall((n) => (n === 0 ? 100 : 1));
    const { tally, run } = start(call, { rate: 100, maxInFlight: 1, stop: { kind: 'calls', calls: 5 } });
    await vi.runAllTimersAsync();
    await run;
    expect(tally.latencies).toEqual([100, 91, 82, 73, 64]);
  });

  it('does not make the due calls the cap still holds when the duration ends', async () => {
    // 10 calls due within 10 ms, but one takes 20 ms and the cap is 1: only call 0 is made.
    const { state, call } = fakeCall(() => 20);
    const { tally, run } = start(call, { rate: 1000, maxInFlight: 1, stop: { kind: 'duration', durationMs: 10 } });
    await vi.runAllTimersAsync();
    const { schedule } = await run;
    expect(state.numbers).toEqual([0]);
    expect(tally.calls).toBe(1);
    // 1 call over the 10 ms duration plus one interval.
    expect(schedule.achievedRate).toBeCloseTo(1000 / 11, 9);
  });

  it('stops scheduling when its signal aborts; calls in flight finish and count', async () => {
    const { state, call } = fakeCall(() => 25);
    const controller = new AbortController();
    const { tally, run } = start(call, {
      rate: 100,
      maxInFlight: 256,
      stop: { kind: 'duration', durationMs: 60_000 },
      signal: controller.signal,
    });
    await vi.advanceTimersByTimeAsync(35);
    controller.abort();
    expect(state.inFlight).toBe(2);
    await vi.runAllTimersAsync();
    await run;
    expect(state.numbers).toEqual([0, 1, 2, 3]);
    expect(tally.calls).toBe(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('makes no call when its signal has already aborted', async () => {
    const { state, call } = fakeCall();
    const { tally, run } = start(call, {
      rate: 100,
      maxInFlight: 256,
      stop: { kind: 'calls', calls: 5 },
      signal: AbortSignal.abort(),
    });
    await run;
    expect(state.numbers).toEqual([]);
    expect(tally.calls).toBe(0);
  });

  it('counts a failed call, timed from its intended time like any other', async () => {
    const call = (n: number): Promise<void> => (n === 1 ? Promise.reject(new TypeError('bug')) : Promise.resolve());
    const { tally, run } = start(call, { rate: 100, maxInFlight: 256, stop: { kind: 'calls', calls: 3 } });
    await vi.runAllTimersAsync();
    await run;
    expect(tally).toMatchObject({ calls: 3, ok: 2, failed: 1 });
    expect(Object.fromEntries(tally.errors)).toEqual({ TypeError: { count: 1, sample: 'bug' } });
  });
});
