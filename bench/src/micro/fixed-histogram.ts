/**
 * Nanoseconds per `FixedHistogram.record` over the server's duration bounds, beside the same
 * histogram finding its bucket by binary search, to keep the choice of a linear scan honest
 * (packages/wire/src/fixed-histogram.ts). Values are drawn once, before timing, from four
 * distributions: uniform between 5 and 30 µs (one fast procedure in steady state), log-uniform
 * between 2 µs and 5 ms (calls of every speed mixed: the bucket is unpredictable), all in the
 * first bucket, and uniform over the whole range (the scan's worst case).
 *
 *   node --conditions=@volley/source --import tsx bench/src/micro/fixed-histogram.ts [values] [rounds]
 *
 * A benchmark, not a test: nothing here fails on a slow machine.
 */
import { performance } from 'node:perf_hooks';
import { DURATION_BOUNDARIES_MS, FixedHistogram } from '@volley/wire/internal';

const VALUES = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 7);

/** The same bookkeeping as FixedHistogram, with the bucket found by binary search. */
class BinarySearchHistogram {
  readonly #bounds: Float64Array;
  readonly #counts: Float64Array;
  readonly #totals = new Float64Array(4);

  constructor(boundaries: readonly number[]) {
    this.#bounds = Float64Array.from(boundaries);
    this.#counts = new Float64Array(boundaries.length + 1);
  }

  record(value: number): void {
    if (Number.isNaN(value)) return;
    const bounds = this.#bounds;
    let low = 0;
    let high = bounds.length;
    // The first bound >= value, or bounds.length (overflow).
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((bounds[mid] as number) < value) low = mid + 1;
      else high = mid;
    }
    const counts = this.#counts;
    counts[low] = (counts[low] as number) + 1;
    const totals = this.#totals;
    if (totals[0] === 0) {
      totals[2] = value;
      totals[3] = value;
    } else if (value < (totals[2] as number)) totals[2] = value;
    else if (value > (totals[3] as number)) totals[3] = value;
    totals[0] = (totals[0] as number) + 1;
    totals[1] = (totals[1] as number) + value;
  }
}

/** A seeded generator (mulberry32), so every run times the same values. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(17);
const top = DURATION_BOUNDARIES_MS.at(-1) as number;
const distributions: Record<string, Float64Array> = {
  'one procedure 5–30 µs': Float64Array.from({ length: VALUES }, () => 0.005 + 0.025 * next()),
  'log-uniform 2 µs – 5 ms': Float64Array.from({ length: VALUES }, () => 0.002 * 2500 ** next()),
  'first bucket': Float64Array.from({ length: VALUES }, () => 0),
  'uniform 0 – 12 s (worst)': Float64Array.from({ length: VALUES }, () => next() * top * 1.2),
};

type Recorder = { record(value: number): void };
const makers: Record<string, () => Recorder> = {
  linear: () => new FixedHistogram(DURATION_BOUNDARIES_MS),
  binary: () => new BinarySearchHistogram(DURATION_BOUNDARIES_MS),
};

/** Best of the rounds, in ns per record: the least disturbed run. */
function time(make: () => Recorder, values: Float64Array): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const histogram = make();
    const start = performance.now();
    for (let i = 0; i < values.length; i++) histogram.record(values[i] as number);
    best = Math.min(best, ((performance.now() - start) * 1e6) / values.length);
  }
  return best;
}

console.log(
  `${VALUES} values, best of ${ROUNDS} rounds, ${DURATION_BOUNDARIES_MS.length} bounds, Node ${process.version}`,
);
for (const [distribution, values] of Object.entries(distributions)) {
  const cells = Object.entries(makers).map(([name, make]) => `${name} ${time(make, values).toFixed(1)} ns`);
  console.log(`${distribution.padEnd(26)} ${cells.join('   ')}`);
}
