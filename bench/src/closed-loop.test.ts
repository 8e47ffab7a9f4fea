import { describe, expect, it } from 'vitest';
import { runClosedLoop } from './closed-loop.js';
import type { CallOutcome } from './scenarios.js';

describe('closed loop', () => {
  it('keeps exactly `outstanding` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const call = async (): Promise<CallOutcome> => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return 'ok';
    };
    await runClosedLoop(call, { outstanding: 8, warmupMs: 0, durationMs: 30 });
    expect(most).toBe(8);
  });

  it('counts wrong answers and failures apart and records neither as a call', async () => {
    const call = async (n: number): Promise<CallOutcome> => {
      await new Promise((resolve) => setImmediate(resolve));
      return n % 3 === 0 ? 'ok' : n % 3 === 1 ? 'wrong' : 'error';
    };
    const result = await runClosedLoop(call, { outstanding: 1, warmupMs: 0, durationMs: 30 });
    expect(result.wrongAnswers).toBeGreaterThan(0);
    expect(result.errors).toBeGreaterThan(0);
    // Only a call finishing after the window (one worker: at most one) is completed but not recorded.
    expect(result.totalCalls - (result.calls + result.wrongAnswers + result.errors)).toBeLessThanOrEqual(1);
    expect(result.latenciesMs).toHaveLength(result.calls);
  });

  it('numbers calls from 0 with no repeats, so add inputs vary', async () => {
    const seen: number[] = [];
    const call = async (n: number): Promise<CallOutcome> => {
      seen.push(n);
      await new Promise((resolve) => setImmediate(resolve));
      return 'ok';
    };
    await runClosedLoop(call, { outstanding: 4, warmupMs: 0, durationMs: 20 });
    expect(new Set(seen).size).toBe(seen.length);
    expect(Math.min(...seen)).toBe(0);
  });
});
