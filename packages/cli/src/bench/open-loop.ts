import { LATE_AFTER_MS } from './constants.js';
import type { BenchCall, LoadResult } from './load.js';
import type { StopCondition } from './options.js';
import { LoadTally } from './tally.js';

/** How {@link runOpenLoop} schedules the calls. */
export interface OpenLoopOptions {
  /** Calls per second: call i is due at start + i / rate. */
  readonly rate: number;
  /** Calls in flight at most; due calls beyond it wait, still timed from when they were due. */
  readonly maxInFlight: number;
  /** With `calls`, exactly that many start; with `durationMs`, those due within it (see {@link runOpenLoop}). */
  readonly stop: StopCondition;
  /** Where counts go; pass one to watch the run live (progress). */
  readonly tally?: LoadTally;
  /** Aborting stops starting calls (Ctrl-C); calls in flight still finish and are counted. */
  readonly signal?: AbortSignal;
}

/** How well the client kept to the schedule. Rates in calls/s. */
export interface OpenLoopSchedule {
  /** The rate asked for, calls/s. */
  readonly targetRate: number;
  /**
   * Calls started per second of schedule (from the first due time to when scheduling stopped, at
   * most the duration, plus the last call's interval): the target when every call started on time;
   * lower when calls started late or, held back by the cap, were never made.
   */
  readonly achievedRate: number;
  /** Calls issued more than {@link lateAfterMs} after their intended time. */
  readonly lateCalls: number;
  /** {@link LATE_AFTER_MS} or one interval (1000 / rate), whichever is longer. */
  readonly lateAfterMs: number;
}

/** What an open-loop run did, for the report. */
export interface OpenLoopResult extends LoadResult {
  readonly schedule: OpenLoopSchedule;
}

/**
 * Runs an open loop, as wrk2 does: call i is due at t_i = start + i / rate, whether or not earlier
 * calls have finished, and its latency is measured from t_i, not from when it was issued. A server
 * that stalls therefore shows its stall in every call that should have started meanwhile, rather
 * than the client quietly waiting with it (coordinated omission). `call` receives the call number
 * (0-based), to spread calls round-robin over clients.
 *
 * One timer drives the schedule: each tick starts every call now due (timers are ~1 ms granular,
 * so at high rates several start per tick) and sleeps until the next one is; nothing busy-waits.
 * Each finishing call also starts whatever is due by then, which both frees the cap's slot at once
 * and, under load, starts calls closer to their time than the timer could. When `maxInFlight`
 * calls are in flight, due calls wait for those finishing calls. Ends when no call will start any
 * more and none is in flight:
 * - with `calls`, once all N have started (only an abort starts fewer);
 * - with `durationMs`, once every call due within it has started, or when it has passed and the
 *   cap still holds due calls back: those are not made (the late count and the achieved rate
 *   show the shortfall), so a server slower than the rate cannot stretch the run without limit;
 * - when `signal` aborts.
 * Every call is counted, successful or failed; never rejects.
 *
 * @example
 * const { schedule } = await runOpenLoop((n) => clients[n % clients.length].call('echo.add', input), {
 *   rate: 2000,
 *   maxInFlight: 256,
 *   stop: { kind: 'duration', durationMs: 10_000 },
 * });
 */
export function runOpenLoop(call: BenchCall, options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { rate, maxInFlight, stop, signal } = options;
  const tally = options.tally ?? new LoadTally();
  const intervalMs = 1000 / rate;
  const lateAfterMs = Math.max(LATE_AFTER_MS, intervalMs);
  const total = stop.kind === 'calls' ? stop.calls : callsDueWithin(stop.durationMs, rate);
  // The global `performance` and `setTimeout`, not node:perf_hooks' export: vitest's fake timers
  // replace the globals, so tests drive clock and timer together.
  const startedAt = performance.now();
  const endAt = stop.kind === 'duration' ? startedAt + stop.durationMs : Number.POSITIVE_INFINITY;
  const intendedAt = (index: number): number => startedAt + index * intervalMs;
  let started = 0;
  let inFlight = 0;
  let lateCalls = 0;
  let lastStartAt = startedAt;
  let closedAt: number | undefined;
  // The last pump left due calls waiting for the cap.
  let heldBack = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  return new Promise((resolve) => {
    const finishIfDone = (): void => {
      if (closedAt === undefined || inFlight > 0) return;
      // The schedule ran until scheduling stopped, but no further than the duration; the interval
      // after the last start is its share, so a run on time achieves exactly the target.
      const scheduleMs = Math.max(lastStartAt, Math.min(closedAt, endAt)) - startedAt + intervalMs;
      const schedule = { targetRate: rate, achievedRate: (started * 1000) / scheduleMs, lateCalls, lateAfterMs };
      resolve({ tally, durationMs: performance.now() - startedAt, schedule });
    };
    const close = (): void => {
      closedAt = performance.now();
      clearTimeout(timer);
      signal?.removeEventListener('abort', close);
      finishIfDone();
    };
    const timeCall = async (index: number, dueAt: number): Promise<void> => {
      try {
        await call(index);
        tally.recordOk(performance.now() - dueAt);
      } catch (error) {
        tally.recordError(performance.now() - dueAt, error);
      }
      inFlight--;
      if (closedAt === undefined) pump();
      else finishIfDone();
    };
    /** Starts the calls due by now that the cap allows, then decides what wakes the loop next. */
    const pump = (): void => {
      const now = performance.now();
      // Past the duration, calls the cap was holding are not made; calls merely waiting for a
      // late timer tick still are, so a run that kept up makes every call due within it.
      if (now >= endAt && heldBack) {
        close();
        return;
      }
      const due = Math.min(total, Math.floor((now - startedAt) / intervalMs) + 1);
      while (started < due && inFlight < maxInFlight) {
        const dueAt = intendedAt(started);
        if (now - dueAt > lateAfterMs) lateCalls++;
        inFlight++;
        lastStartAt = now;
        void timeCall(started++, dueAt);
      }
      heldBack = started < due;
      if (started === total || now >= endAt) close();
      else if (!heldBack && timer === undefined) timer = setTimeout(tick, intendedAt(started) - now);
      // When held back, the next call to finish pumps again.
    };
    const tick = (): void => {
      timer = undefined;
      pump();
    };
    if (signal?.aborted === true) {
      close();
      return;
    }
    signal?.addEventListener('abort', close, { once: true });
    pump();
  });
}

/** Calls whose intended time falls within the first `durationMs`: i / rate < duration. */
function callsDueWithin(durationMs: number, rate: number): number {
  return Math.max(1, Math.ceil((durationMs * rate) / 1000));
}
