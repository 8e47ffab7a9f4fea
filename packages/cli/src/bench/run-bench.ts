import { type BenchCall, type LoadResult, runLoad } from './load.js';
import { type OpenLoopResult, runOpenLoop } from './open-loop.js';
import type { LoadMode, StopCondition } from './options.js';
import { LoadTally } from './tally.js';

/** A stretch of load with its own counts: the warm-up, then the measured run. */
export interface BenchPhase {
  readonly name: 'warmup' | 'measure';
  readonly tally: LoadTally;
  readonly stop: StopCondition;
}

/** How {@link runBench} drives the calls. */
export interface BenchRunOptions {
  readonly mode: LoadMode;
  /** When the measured run stops. */
  readonly stop: StopCondition;
  /** Load before the measured run, not counted in it; 0 for none. */
  readonly warmupMs: number;
  /** Aborting ends the current phase early (Ctrl-C); a warm-up cut short is followed by no measured calls. */
  readonly signal?: AbortSignal;
  /** Called as each phase starts, with the tally it counts into (for the progress line). */
  readonly onPhase?: (phase: BenchPhase) => void;
}

/** What the warm-up did; its latencies and errors are dropped. */
export interface WarmupSummary {
  readonly durationMs: number;
  readonly calls: number;
}

/** A finished benchmark: the measured run and, when there was one, the warm-up. */
export interface BenchRun {
  readonly measured: LoadResult | OpenLoopResult;
  readonly warmup: WarmupSummary | undefined;
}

/**
 * Runs the warm-up, if any, then the measured run, both in the same mode over the same `call`
 * (so the same clients: connections are open, the server's and the CLI's JIT warm, before anything
 * counts). The warm-up has its own tally, thrown away but for its call count; its calls in flight
 * finish before the measured run starts, so none of them is counted or timed there.
 *
 * @example
 * const { measured, warmup } = await runBench((n) => pool[n % pool.length].call('echo.add', input), {
 *   mode: { kind: 'open', rate: 2000, maxInFlight: 256 },
 *   stop: { kind: 'duration', durationMs: 10_000 },
 *   warmupMs: 2_000,
 * });
 */
export async function runBench(call: BenchCall, options: BenchRunOptions): Promise<BenchRun> {
  const { mode, stop, warmupMs, signal, onPhase } = options;
  let warmup: WarmupSummary | undefined;
  if (warmupMs > 0) {
    const phase: BenchPhase = {
      name: 'warmup',
      tally: new LoadTally(),
      stop: { kind: 'duration', durationMs: warmupMs },
    };
    onPhase?.(phase);
    const { tally, durationMs } = await runPhase(call, mode, phase, signal);
    warmup = { durationMs, calls: tally.calls };
  }
  const phase: BenchPhase = { name: 'measure', tally: new LoadTally(), stop };
  onPhase?.(phase);
  return { measured: await runPhase(call, mode, phase, signal), warmup };
}

function runPhase(
  call: BenchCall,
  mode: LoadMode,
  phase: BenchPhase,
  signal: AbortSignal | undefined,
): Promise<LoadResult | OpenLoopResult> {
  const { tally, stop } = phase;
  return mode.kind === 'open'
    ? runOpenLoop(call, { rate: mode.rate, maxInFlight: mode.maxInFlight, stop, tally, signal })
    : runLoad(call, { concurrency: mode.concurrency, stop, tally, signal });
}
