import type { HistogramBucket, LatencySummary } from './latency.js';
import type { LoadMode } from './options.js';
import type { BenchRun } from './run-bench.js';

/** What was benchmarked, for the report's header. */
export interface BenchTarget {
  /** The resolved URL (`udp://127.0.0.1:4000`). */
  readonly url: string;
  readonly procedure: string;
  readonly mode: LoadMode;
  readonly connections: number;
}

/** How well an open-loop run kept to its schedule. Rates in calls/s. */
export interface RateReport {
  readonly target: number;
  /** Calls started per second of schedule; below the target when calls started late or were never made. */
  readonly achieved: number;
  /** Calls issued more than `lateAfterMs` after their intended time: the client or the cap could not keep up. */
  readonly lateCalls: number;
  readonly lateAfterMs: number;
}

/** The result of `volley bench`, printed as text or as this JSON object (`--json`). Times in ms. */
export interface BenchReport {
  readonly target: string;
  readonly procedure: string;
  readonly transport: string;
  /** `closed`: workers, each starting a call when its last one finished; `open`: calls on a schedule (`--rate`). */
  readonly mode: LoadMode['kind'];
  /** Closed loop: workers. Open loop: the cap on calls in flight. */
  readonly concurrency: number;
  readonly connections: number;
  /** Open loop only, else null. */
  readonly rate: RateReport | null;
  /** The uncounted load before the measured run; null without `--warmup`. */
  readonly warmup: { readonly durationMs: number; readonly calls: number } | null;
  /** The measured run, from its first call started to its last call finished. */
  readonly durationMs: number;
  readonly calls: number;
  readonly ok: number;
  /** Failed calls by error code, most frequent first, each with the message of the first one. */
  readonly errors: Record<string, { readonly count: number; readonly sample: string }>;
  readonly callsPerSecond: number;
  /** Latency of every call, failed ones too; null when no call finished. */
  readonly latencyMs: LatencySummary | null;
  readonly histogram: readonly HistogramBucket[];
}

/** Builds the report of a finished run; latencies rounded to 0.1 µs, rates to 0.1 call/s. */
export function toBenchReport(target: BenchTarget, run: BenchRun): BenchReport {
  const { measured, warmup } = run;
  const { tally, durationMs } = measured;
  const schedule = 'schedule' in measured ? measured.schedule : undefined;
  const errors: Record<string, { count: number; sample: string }> = {};
  for (const [code, group] of [...tally.errors].sort((a, b) => b[1].count - a[1].count))
    errors[code] = { count: group.count, sample: group.sample };
  const latency = tally.latency.summary();
  return {
    target: target.url,
    procedure: target.procedure,
    transport: target.url.slice(0, Math.max(0, target.url.indexOf('://'))),
    mode: target.mode.kind,
    concurrency: target.mode.kind === 'open' ? target.mode.maxInFlight : target.mode.concurrency,
    connections: target.connections,
    rate:
      schedule === undefined
        ? null
        : {
            target: schedule.targetRate,
            achieved: round(schedule.achievedRate, 1),
            lateCalls: schedule.lateCalls,
            lateAfterMs: round(schedule.lateAfterMs, 4),
          },
    warmup: warmup === undefined ? null : { durationMs: round(warmup.durationMs, 1), calls: warmup.calls },
    durationMs: round(durationMs, 1),
    calls: tally.calls,
    ok: tally.ok,
    errors,
    callsPerSecond: durationMs > 0 ? round((tally.calls * 1000) / durationMs, 1) : 0,
    latencyMs: latency === undefined ? null : roundLatency(latency),
    histogram: tally.latency.histogram().map((bucket) => ({ upToMs: round(bucket.upToMs, 4), count: bucket.count })),
  };
}

function roundLatency(latency: LatencySummary): LatencySummary {
  return {
    min: round(latency.min, 4),
    mean: round(latency.mean, 4),
    p50: round(latency.p50, 4),
    p90: round(latency.p90, 4),
    p99: round(latency.p99, 4),
    p999: round(latency.p999, 4),
    max: round(latency.max, 4),
  };
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
