import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { LATENCY_SIGNIFICANT_FIGURES } from './constants.js';
import { toHistogramBounds } from './histogram-bounds.js';

/** Latency statistics of a run, in milliseconds. */
export interface LatencySummary {
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** One bar of the latency histogram: calls that took more than the previous bound and at most `upToMs`. */
export interface HistogramBucket {
  readonly upToMs: number;
  readonly count: number;
}

const NS_PER_MS = 1e6;

/**
 * How far above a recorded value HdrHistogram may read it back, relative to the value: one
 * sub-bucket, at most 1/1024 with 3 significant figures, so 1/1000 covers it.
 */
const HDR_READBACK_SLACK = 10 ** -LATENCY_SIGNIFICANT_FIGURES;

/**
 * Records call latencies and answers percentiles and a log-scale histogram.
 *
 * Memory is bounded whatever the run's length: values go into `node:perf_hooks`' HdrHistogram
 * (nanoseconds, {@link LATENCY_SIGNIFICANT_FIGURES} significant digits, a fixed ~360 KB of
 * counters), never into an array of samples. Count, sum, min and max are kept exactly beside it;
 * percentiles are exact to 0.1 % and clamped to [min, max].
 */
export class LatencyRecorder {
  readonly #hdr: RecordableHistogram = createHistogram({ figures: LATENCY_SIGNIFICANT_FIGURES });
  #count = 0;
  #sumMs = 0;
  #minMs = Number.POSITIVE_INFINITY;
  #maxMs = 0;

  /** Calls recorded. */
  get count(): number {
    return this.#count;
  }

  /** Records one call that took `ms` milliseconds. */
  record(ms: number): void {
    // HdrHistogram records integers ≥ 1: whole nanoseconds.
    this.#hdr.record(Math.max(1, Math.round(ms * NS_PER_MS)));
    this.#count++;
    this.#sumMs += ms;
    if (ms < this.#minMs) this.#minMs = ms;
    if (ms > this.#maxMs) this.#maxMs = ms;
  }

  /** Min, mean, percentiles and max; undefined before the first call. */
  summary(): LatencySummary | undefined {
    if (this.#count === 0) return undefined;
    return {
      min: this.#minMs,
      mean: this.#sumMs / this.#count,
      p50: this.#percentileMs(50),
      p90: this.#percentileMs(90),
      p99: this.#percentileMs(99),
      p999: this.#percentileMs(99.9),
      max: this.#maxMs,
    };
  }

  /**
   * Buckets with upper bounds on the 1-2-5 series (…0.5, 1, 2, 5 ms…), from the first bound ≥ min
   * to the first bound ≥ max (see {@link toHistogramBounds}); each holds the calls above the
   * previous bound and at most its own. Empty buckets between stay in, so a gap before a tail
   * shows; the counts add up to {@link count}.
   */
  histogram(): HistogramBucket[] {
    if (this.#count === 0) return [];
    const bounds = toHistogramBounds(this.#minMs, this.#maxMs);
    let below = 0;
    return bounds.map((upToMs, i) => {
      // The last bound is ≥ max by construction: everything is at or below it.
      const atOrBelow = i === bounds.length - 1 ? this.#count : this.#countAtOrBelow(upToMs * NS_PER_MS);
      const bucket = { upToMs, count: atOrBelow - below };
      below = atOrBelow;
      return bucket;
    });
  }

  #percentileMs(percentile: number): number {
    const ms = this.#hdr.percentile(percentile) / NS_PER_MS;
    return Math.min(this.#maxMs, Math.max(this.#minMs, ms));
  }

  /**
   * How many recorded values are ≤ `boundNs`: the HdrHistogram answers value-at-rank, not
   * rank-at-value, so binary-search the largest rank whose value is within the bound. It reads a
   * value back as the top of its sub-bucket (up to 1/1024 above), so the bound gets that slack:
   * a value exactly on a bound counts below it, as the buckets' upper bounds are inclusive.
   */
  #countAtOrBelow(boundNs: number): number {
    const slackBoundNs = boundNs * (1 + HDR_READBACK_SLACK);
    let low = 0;
    let high = this.#count;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (this.#valueAtRank(mid) <= slackBoundNs) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** The `rank`-th smallest value (1-based), in nanoseconds. */
  #valueAtRank(rank: number): number {
    // hdr_value_at_percentile takes rank trunc(p / 100 × count + 0.5); aiming at rank − 0.25
    // lands in the middle of that rank's interval, safe from floating-point rounding at its ends.
    return this.#hdr.percentile(((rank - 0.25) * 100) / this.#count);
  }
}
