import { setTimeout as sleep } from 'node:timers/promises';
import { RpcError } from '@volley/client';
import { describe, expect, it } from 'vitest';
import { runLoad } from './load.js';

/** A fake call that takes `ms` and records how many calls were in flight at most. */
function trackedCall(ms = 1) {
  const state = { calls: 0, inFlight: 0, maxInFlight: 0, workers: new Set<number>() };
  const call = async (worker: number): Promise<void> => {
    state.calls++;
    state.workers.add(worker);
    state.maxInFlight = Math.max(state.maxInFlight, ++state.inFlight);
    await sleep(ms);
    state.inFlight--;
  };
  return { state, call };
}

describe('runLoad', () => {
  it('makes exactly N calls with a call limit, across all workers', async () => {
    const { state, call } = trackedCall();
    const { tally } = await runLoad(call, { concurrency: 7, stop: { kind: 'calls', calls: 100 } });
    expect(state.calls).toBe(100);
    expect(tally.calls).toBe(100);
    expect(tally.ok).toBe(100);
    expect(tally.latency.count).toBe(100);
  });

  it('keeps exactly `concurrency` calls in flight, one per worker', async () => {
    const { state, call } = trackedCall();
    await runLoad(call, { concurrency: 8, stop: { kind: 'calls', calls: 200 } });
    expect(state.maxInFlight).toBe(8);
    expect([...state.workers].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('starts no more calls than the limit when it is below the concurrency', async () => {
    const { state, call } = trackedCall();
    await runLoad(call, { concurrency: 16, stop: { kind: 'calls', calls: 5 } });
    expect(state.calls).toBe(5);
    expect(state.maxInFlight).toBe(5);
  });

  it('groups failures by error code with the first message as sample, and counts them as calls', async () => {
    let n = 0;
    const call = async (): Promise<void> => {
      n++;
      if (n % 4 === 0) throw new RpcError('NOT_FOUND', `missing ${n}`);
      if (n % 5 === 0) throw new RpcError('DEADLINE_EXCEEDED', 'too slow');
    };
    const { tally } = await runLoad(call, { concurrency: 3, stop: { kind: 'calls', calls: 40 } });
    expect(tally.calls).toBe(40);
    expect(tally.failed).toBe(10 + 6);
    expect(tally.ok).toBe(40 - 16);
    expect(Object.fromEntries(tally.errors)).toEqual({
      NOT_FOUND: { count: 10, sample: 'missing 4' },
      DEADLINE_EXCEEDED: { count: 6, sample: 'too slow' },
    });
  });

  it('groups a local failure by its class name, not as a remote code', async () => {
    const { tally } = await runLoad(
      async () => {
        throw new TypeError('bug');
      },
      { concurrency: 1, stop: { kind: 'calls', calls: 2 } },
    );
    expect(Object.fromEntries(tally.errors)).toEqual({ TypeError: { count: 2, sample: 'bug' } });
  });

  it('stops starting calls once the duration has passed, and lets calls in flight finish', async () => {
    const { state, call } = trackedCall(5);
    const { tally, durationMs } = await runLoad(call, { concurrency: 4, stop: { kind: 'duration', durationMs: 60 } });
    expect(tally.calls).toBe(state.calls);
    expect(tally.calls).toBeGreaterThanOrEqual(4);
    expect(state.inFlight).toBe(0);
    expect(durationMs).toBeGreaterThanOrEqual(60);
  });

  it('stops starting calls when its signal aborts', async () => {
    const { state, call } = trackedCall(2);
    const controller = new AbortController();
    // Aborted from inside the fifth call, a point mid-run that does not depend on how fast calls go.
    const abortingCall = (worker: number): Promise<void> => {
      const running = call(worker);
      if (state.calls === 5) controller.abort();
      return running;
    };
    const { tally } = await runLoad(abortingCall, {
      concurrency: 2,
      stop: { kind: 'duration', durationMs: 60_000 },
      signal: controller.signal,
    });
    expect(tally.calls).toBeGreaterThan(0);
    expect(tally.calls).toBe(state.calls);
    expect(state.inFlight).toBe(0);
  });

  it('keeps the event loop turning when calls settle without I/O, so timers and Ctrl-C still work', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const { tally } = await runLoad(() => Promise.reject(new Error('refused locally')), {
      concurrency: 4,
      stop: { kind: 'duration', durationMs: 60_000 },
      signal: controller.signal,
    });
    expect(tally.failed).toBe(tally.calls);
    expect(tally.calls).toBeGreaterThan(0);
  });
});
