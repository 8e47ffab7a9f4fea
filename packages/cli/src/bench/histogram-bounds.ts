import { HISTOGRAM_MANTISSAS, HISTOGRAM_MIN_BOUND_MS } from './constants.js';

/**
 * The upper bounds of the latency histogram's buckets, in ms: the 1-2-5 series (…0.05, 0.1, 0.2,
 * 0.5, 1, 2, 5 ms…) from the first bound ≥ `minMs` to the first bound ≥ `maxMs`, ascending.
 * One bound when both fall under the same one. Bounds below {@link HISTOGRAM_MIN_BOUND_MS} are
 * never given: a smaller `minMs` counts into the 1 µs bucket.
 *
 * @example
 * toHistogramBounds(0.3, 68); // [0.5, 1, 2, 5, 10, 20, 50, 100]
 */
export function toHistogramBounds(minMs: number, maxMs: number): number[] {
  const bounds: number[] = [];
  const low = Math.max(minMs, HISTOGRAM_MIN_BOUND_MS);
  // Start a decade below log10's guess: log10 of 0.001 may come out a hair under −3.
  for (let exponent = Math.floor(Math.log10(low)) - 1; ; exponent++) {
    for (const mantissa of HISTOGRAM_MANTISSAS) {
      const bound = powerOfTen(mantissa, exponent);
      if (bound < low) continue;
      bounds.push(bound);
      if (bound >= maxMs) return bounds;
    }
  }
}

/**
 * `mantissa × 10^exponent` as the double nearest the decimal (0.05, not 0.05000000000000001):
 * dividing by an exact power of ten rounds once, multiplying by an inexact 10^−2 twice.
 */
function powerOfTen(mantissa: number, exponent: number): number {
  return exponent >= 0 ? mantissa * 10 ** exponent : mantissa / 10 ** -exponent;
}
