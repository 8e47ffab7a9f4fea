import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CALLS_PER_YIELD } from './constants.js';
import type { StopCondition } from './options.js';
import { LoadTally } from './tally.js';

/**
 * One call of the benchmark. `lane` (0-based) picks the client round-robin: the worker's number in
 * the closed loop, the call's number in the open loop.
 */
export type BenchCall = (lane: number) => Promise<unknown>;

/** How {@link runLoad} drives the calls. */
export interface LoadOptions {
  /** Workers, each with one call in flight at a time. */
  readonly concurrency: number;
  /** When to stop starting calls. */
  readonly stop: StopCondition;
  /** Where counts go; pass one to watch the run live (progress). */
  readonly tally?: LoadTally;
  /** Aborting stops starting calls (Ctrl-C); calls in flight still finish and are counted. */
  readonly signal?: AbortSignal;
}

/** What a run did, for the report. */
export interface LoadResult {
  readonly tally: LoadTally;
  /** From the first call started to the last call finished. */
  readonly durationMs: number;
}

/**
 * Runs `concurrency` workers, each awaiting `call` in a loop, until the stop condition: exactly
 * `calls` calls in total, or no new call once `durationMs` has passed (calls in flight then
 * finish, so a run lasts at most the duration plus one call timeout). Every call is timed with
 * `performance.now()` and counted, successful or failed; never rejects.
 *
 * @example
 * const { tally } = await runLoad((w) => clients[w % clients.length].call('echo.add', input), {
 *   concurrency: 16,
 *   stop: { kind: 'calls', calls: 1000 },
 * });
 */
export async function runLoad(call: BenchCall, options: LoadOptions): Promise<LoadResult> {
  const { concurrency, stop, signal } = options;
  const tally = options.tally ?? new LoadTally();
  const startedAt = performance.now();
  const endAt = stop.kind === 'duration' ? startedAt + stop.durationMs : Number.POSITIVE_INFINITY;
  const limit = stop.kind === 'calls' ? stop.calls : Number.POSITIVE_INFINITY;
  let started = 0;
  // Claimed before each call, so with a call limit exactly `limit` calls start across all workers.
  const claim = (): boolean => {
    if (started >= limit || signal?.aborted === true || performance.now() >= endAt) return false;
    started++;
    return true;
  };
  const work = async (worker: number): Promise<void> => {
    for (let n = 1; claim(); n++) {
      if (n % CALLS_PER_YIELD === 0) await nextTurn();
      const callStartedAt = performance.now();
      try {
        await call(worker);
        tally.recordOk(performance.now() - callStartedAt);
      } catch (error) {
        tally.recordError(performance.now() - callStartedAt, error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, worker) => work(worker)));
  return { tally, durationMs: performance.now() - startedAt };
}
