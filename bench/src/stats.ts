/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  p50: number;
  p99: number;
  p999: number;
}

/** p50, p99 and p99.9 by nearest rank; NaN for no samples. Sorts a copy once. */
export function summarizeLatency(samples: Float64Array): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  return { p50: nearestRank(sorted, 50), p99: nearestRank(sorted, 99), p999: nearestRank(sorted, 99.9) };
}

/**
 * The `p`-th percentile (0–100) of already sorted samples, by nearest rank: the smallest sample
 * with at least p % of the samples at or below it (no interpolation, so it is always a real
 * latency that some call had).
 */
export function nearestRank(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // The epsilon keeps float error (0.999 × 1000 = 999.0000000000001) from skipping a rank.
  const rank = Math.ceil((p / 100) * sorted.length - 1e-9) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

/**
 * The median of `values`: the middle one, or the mean of the two middle ones for an even count;
 * NaN for none. NaN entries (a failed run's figures) are left out.
 */
export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((x, y) => x - y);
  if (sorted.length === 0) return Number.NaN;
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}
