import { describe, expect, it } from 'vitest';
import { FixedHistogram, type HistogramSnapshot } from './fixed-histogram.js';
import { addSnapshots, emptySnapshot, quantileOf, subtractSnapshots } from './histogram-snapshot.js';

function histogramOf(bounds: readonly number[], values: readonly number[]): FixedHistogram {
  const histogram = new FixedHistogram(bounds);
  for (const value of values) histogram.record(value);
  return histogram;
}

const snapshotOf = (bounds: readonly number[], values: readonly number[]): HistogramSnapshot =>
  histogramOf(bounds, values).snapshot();

describe('quantileOf', () => {
  it('interpolates linearly within the bucket that holds the rank', () => {
    // Ten values in (10, 20], from 11 to 20: spread evenly from min to the bucket's bound.
    const snapshot = snapshotOf([10, 20, 30], [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(snapshot.counts).toEqual([0, 10, 0, 0]);
    expect(quantileOf(snapshot, 0.5)).toBeCloseTo(15.5);
    expect(quantileOf(snapshot, 0.9)).toBeCloseTo(19.1);
  });

  it('walks the buckets below the one that holds the rank', () => {
    // 50 at 0.5, 50 at 1.5: p75 is half way from the second bucket's floor (1) to max (1.5).
    const values = [...Array(50).fill(0.5), ...Array(50).fill(1.5)];
    const snapshot = snapshotOf([0, 1, 2], values);
    expect(quantileOf(snapshot, 0.75)).toBeCloseTo(1.25);
    expect(quantileOf(snapshot, 0.5)).toBeCloseTo(1);
  });

  it('never leaves [min, max]: they narrow the first and last occupied buckets', () => {
    const snapshot = snapshotOf([1, 10, 100], [4, 5, 6]);
    for (const q of [0.01, 0.5, 0.99]) {
      expect(quantileOf(snapshot, q)).toBeGreaterThanOrEqual(4);
      expect(quantileOf(snapshot, q)).toBeLessThanOrEqual(6);
    }
  });

  it('interpolates up to the largest value in the overflow bucket, which has no bound of its own', () => {
    const snapshot = snapshotOf([1], [2, 4, 6, 8]);
    expect(quantileOf(snapshot, 0.5)).toBeCloseTo(5);
    expect(quantileOf(snapshot, 0.99)).toBeLessThanOrEqual(8);
  });

  it('gives min at q = 0 and max at q = 1', () => {
    const snapshot = snapshotOf([1, 10], [0.3, 7, 42]);
    expect(quantileOf(snapshot, 0)).toBe(0.3);
    expect(quantileOf(snapshot, 1)).toBe(42);
  });

  it('is within one bucket of the exact quantile on many values', () => {
    const bounds = [0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    const values = Array.from({ length: 1000 }, (_, i) => 0.05 + (i / 1000) * 4);
    const snapshot = snapshotOf(bounds, values);
    expect(quantileOf(snapshot, 0.5)).toBeCloseTo(2.05, 0);
    expect(quantileOf(snapshot, 0.99)).toBeGreaterThan(2.5);
    expect(quantileOf(snapshot, 0.99)).toBeLessThanOrEqual(4.05);
  });

  it('is NaN for an empty snapshot', () => {
    expect(quantileOf(snapshotOf([1], []), 0.5)).toBeNaN();
  });

  it.each([-0.1, 1.5, Number.NaN])('refuses the quantile %d', (q) => {
    expect(() => quantileOf(snapshotOf([1], [1]), q)).toThrow(RangeError);
  });
});

describe('subtractSnapshots', () => {
  it('gives what was recorded between two snapshots: counts, count and sum', () => {
    const histogram = histogramOf([1, 10], [0.5, 5]);
    const before = histogram.snapshot();
    for (const value of [0.7, 20, 30]) histogram.record(value);
    const delta = subtractSnapshots(histogram.snapshot(), before);
    expect(delta).toMatchObject({ counts: [1, 0, 2], count: 3 });
    expect(delta.sum).toBeCloseTo(50.7);
  });

  it('bounds min and max by the buckets the interval filled', () => {
    // Overall min 0.5 and max 50 were recorded before; the interval's values lie in (1, 10].
    const histogram = histogramOf([1, 10, 100], [0.5, 50]);
    const before = histogram.snapshot();
    for (const value of [3, 4]) histogram.record(value);
    const delta = subtractSnapshots(histogram.snapshot(), before);
    expect(delta.min).toBe(1);
    expect(delta.max).toBe(10);
    const median = quantileOf(delta, 0.5);
    expect(median).toBeGreaterThan(1);
    expect(median).toBeLessThanOrEqual(10);
  });

  it('keeps the exact min and max when the interval holds them', () => {
    const histogram = histogramOf([1, 10, 100], [5]);
    const before = histogram.snapshot();
    for (const value of [0.2, 70]) histogram.record(value);
    expect(subtractSnapshots(histogram.snapshot(), before)).toMatchObject({ min: 0.2, max: 70 });
  });

  it('is the later snapshot itself when the earlier one is empty', () => {
    const histogram = histogramOf([1, 10], []);
    const before = histogram.snapshot();
    for (const value of [2, 3]) histogram.record(value);
    const now = histogram.snapshot();
    expect(subtractSnapshots(now, before)).toEqual(now);
  });

  it('is empty, with zero min, max and sum, when nothing was recorded in between', () => {
    const histogram = histogramOf([1], [0.5, 2]);
    const snapshot = histogram.snapshot();
    expect(subtractSnapshots(snapshot, snapshot)).toEqual(emptySnapshot([1]));
  });

  it('refuses snapshots of different boundaries', () => {
    expect(() => subtractSnapshots(snapshotOf([1, 2], [1]), snapshotOf([1, 3], []))).toThrow(/different boundaries/);
  });

  it('refuses a later snapshot with fewer values: the histogram was reset (a server restart)', () => {
    expect(() => subtractSnapshots(snapshotOf([1], [1]), snapshotOf([1], [1, 2]))).toThrow(/went down/);
  });
});

describe('addSnapshots', () => {
  it('adds counts and sums and keeps the outer min and max', () => {
    const sum = addSnapshots(snapshotOf([1, 10], [0.5, 5]), snapshotOf([1, 10], [0.2, 50]));
    expect(sum).toMatchObject({ counts: [2, 1, 1], count: 4, min: 0.2, max: 50 });
    expect(sum.sum).toBeCloseTo(55.7);
  });

  it('ignores an empty snapshot’s zero min and max', () => {
    expect(addSnapshots(emptySnapshot([1]), snapshotOf([1], [3]))).toMatchObject({ min: 3, max: 3, count: 1 });
    expect(addSnapshots(snapshotOf([1], [3]), emptySnapshot([1]))).toMatchObject({ min: 3, max: 3, count: 1 });
  });
});
