import type { CliIo } from '../io.js';
import { PROGRESS_INTERVAL_MS } from './constants.js';
import type { StopCondition } from './options.js';
import type { BenchPhase } from './run-bench.js';

/** A running progress line; `show` switches it to a phase, `stop` clears it and its timer. */
export interface Progress {
  /** From now on, shows `phase`'s counts, with elapsed time and rate counted from now. */
  show(phase: BenchPhase): void;
  stop(): void;
}

/**
 * Rewrites one stderr line every {@link PROGRESS_INTERVAL_MS}: elapsed (of the duration), calls
 * done (of the total), calls per second over the last interval, errors; `warming up · ` in front
 * during the warm-up. Silent until the first `show`. Only for a terminal: the caller starts it
 * when `io.stderrIsTTY`. `stop` clears the line, so the report starts clean.
 */
export function startProgress(io: CliIo): Progress {
  // The global `performance`, which vitest's fake timers replace along with `setInterval`.
  let phase: BenchPhase | undefined;
  let startedAt = 0;
  let lastAt = 0;
  let lastCalls = 0;
  const timer = setInterval(() => {
    if (phase === undefined) return;
    const { tally } = phase;
    const now = performance.now();
    const rate = ((tally.calls - lastCalls) * 1000) / Math.max(1, now - lastAt);
    lastAt = now;
    lastCalls = tally.calls;
    const snapshot = { elapsedMs: now - startedAt, calls: tally.calls, callsPerSecond: rate, errors: tally.failed };
    const line = formatProgress(snapshot, phase.stop);
    io.status(phase.name === 'warmup' ? `warming up · ${line}` : line);
  }, PROGRESS_INTERVAL_MS);
  return {
    show(next) {
      phase = next;
      startedAt = lastAt = performance.now();
      lastCalls = 0;
    },
    stop() {
      clearInterval(timer);
      io.status('');
    },
  };
}

/** What one progress line shows. */
export interface ProgressSnapshot {
  readonly elapsedMs: number;
  readonly calls: number;
  readonly callsPerSecond: number;
  readonly errors: number;
}

/** `3.2s / 10.0s · 41234 calls · 12890 calls/s · 0 errors` (with `--calls`: `1.2s · 412/1000 calls · …`). */
export function formatProgress(snapshot: ProgressSnapshot, stop: StopCondition): string {
  const elapsed = `${(snapshot.elapsedMs / 1000).toFixed(1)}s`;
  const time = stop.kind === 'duration' ? `${elapsed} / ${(stop.durationMs / 1000).toFixed(1)}s` : elapsed;
  const calls = stop.kind === 'calls' ? `${snapshot.calls}/${stop.calls}` : `${snapshot.calls}`;
  const errors = `${snapshot.errors} error${snapshot.errors === 1 ? '' : 's'}`;
  return `${time} · ${calls} calls · ${Math.round(snapshot.callsPerSecond)} calls/s · ${errors}`;
}
