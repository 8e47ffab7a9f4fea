/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  p50: number;
  p99: number;
}

/** p50 and p99 by nearest rank; NaN for no samples. Sorts a copy once. */
export function summarizeLatency(samples: Float64Array): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  return { p50: nearestRank(sorted, 50), p99: nearestRank(sorted, 99) };
}

/** The `p`-th percentile (0–100) of already sorted samples, by nearest rank. */
export function nearestRank(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

/** Index of the median of `values` (the lower middle one for an even count). */
export function medianIndex(values: readonly number[]): number {
  const order = values.map((value, index) => ({ value, index })).sort((x, y) => x.value - y.value);
  return order[Math.floor((order.length - 1) / 2)]?.index ?? 0;
}

/** The median of `values` (the lower middle one for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : (values[medianIndex(values)] ?? Number.NaN);
}
