import type { HistogramSnapshot } from './fixed-histogram.js';

/**
 * The `q`-quantile (0 ≤ q ≤ 1) of the values a snapshot counted, estimated as Prometheus's
 * `histogram_quantile` does: find the bucket holding the value of rank `q × count` and interpolate
 * linearly within it, as if its values were spread evenly. Sharper than Prometheus at the edges:
 * the snapshot's `min` and `max` narrow the first and last occupied buckets (the overflow bucket
 * has no upper bound otherwise), so the estimate never leaves `[min, max]`; q = 0 is `min` and
 * q = 1 is `max`. NaN when the snapshot is empty. The error is at most one bucket's width.
 */
export function quantileOf(snapshot: HistogramSnapshot, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`Quantile must be between 0 and 1, got ${q}`);
  const { boundaries, counts, count, min, max } = snapshot;
  if (count === 0) return Number.NaN;
  if (q === 0) return min;
  if (q === 1) return max;
  const rank = q * count;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i] as number;
    if (inBucket === 0) continue;
    if (below + inBucket >= rank) {
      const lower = i === 0 ? min : Math.max(boundaries[i - 1] as number, min);
      const upper = i === boundaries.length ? max : Math.min(boundaries[i] as number, max);
      return lower + (upper - lower) * ((rank - below) / inBucket);
    }
    below += inBucket;
  }
  return max;
}

/**
 * What was recorded between two snapshots of one histogram (`before` taken first): counts, count
 * and sum are exact differences. A delta's `min` and `max` cannot be known from two cumulative
 * snapshots; they are the tightest bounds the data gives: the cumulative `min` raised to the lower
 * edge of the lowest bucket the interval filled, the cumulative `max` lowered to the upper edge of
 * the highest (exact when the interval holds the histogram's overall extremes, or all of its
 * values). Throws a RangeError when the boundaries differ or a count went down: the snapshots are
 * not of one histogram, or it restarted in between.
 */
export function subtractSnapshots(now: HistogramSnapshot, before: HistogramSnapshot): HistogramSnapshot {
  assertSameBoundaries(now, before);
  const counts = now.counts.map((value, i) => value - (before.counts[i] as number));
  if (counts.some((value) => value < 0) || now.count < before.count)
    throw new RangeError('Histogram counts went down between the snapshots: it was reset or is another histogram');
  const count = now.count - before.count;
  const sum = now.sum - before.sum;
  if (count === 0) return { boundaries: now.boundaries, counts, count, sum: 0, min: 0, max: 0 };
  const { boundaries } = now;
  const first = counts.findIndex((value) => value > 0);
  const last = counts.findLastIndex((value) => value > 0);
  const min = first === 0 ? now.min : Math.max(now.min, boundaries[first - 1] as number);
  const max = last === boundaries.length ? now.max : Math.min(now.max, boundaries[last] as number);
  return { boundaries, counts, count, sum, min, max };
}

/**
 * Two histograms of the same boundaries as one (the same procedure over UDP and TCP, say): counts
 * and sums added, the smaller `min` and the larger `max` of those not empty.
 */
export function addSnapshots(a: HistogramSnapshot, b: HistogramSnapshot): HistogramSnapshot {
  assertSameBoundaries(a, b);
  if (b.count === 0) return a;
  if (a.count === 0) return b;
  return {
    boundaries: a.boundaries,
    counts: a.counts.map((value, i) => value + (b.counts[i] as number)),
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

/** An empty snapshot over `boundaries`, to add to or subtract from. */
export function emptySnapshot(boundaries: readonly number[]): HistogramSnapshot {
  return { boundaries, counts: new Array<number>(boundaries.length + 1).fill(0), count: 0, sum: 0, min: 0, max: 0 };
}

function assertSameBoundaries(a: HistogramSnapshot, b: HistogramSnapshot): void {
  if (a.boundaries === b.boundaries) return;
  const same =
    a.boundaries.length === b.boundaries.length && a.boundaries.every((bound, i) => bound === b.boundaries[i]);
  if (!same) throw new RangeError('Histogram snapshots have different boundaries');
}
