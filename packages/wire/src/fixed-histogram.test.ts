import { describe, expect, it } from 'vitest';
import { DURATION_BOUNDARIES_MS, SIZE_BOUNDARIES_BYTES } from './constants.js';
import { FixedHistogram } from './fixed-histogram.js';

describe('FixedHistogram', () => {
  it('counts a value equal to a bound into that bound’s bucket (upper bounds inclusive)', () => {
    const histogram = new FixedHistogram([1, 5, 10]);
    for (const value of [1, 5, 10]) histogram.record(value);
    expect(histogram.snapshot().counts).toEqual([1, 1, 1, 0]);
  });

  it('counts values between bounds into the bucket above, and beyond the last into the overflow', () => {
    const histogram = new FixedHistogram([1, 5, 10]);
    for (const value of [-3, 0.5, 1.0001, 4.9, 7, 10.5, 1e9]) histogram.record(value);
    expect(histogram.snapshot().counts).toEqual([2, 2, 1, 2]);
  });

  it('keeps count, sum, min and max of what it recorded', () => {
    const histogram = new FixedHistogram([1, 5, 10]);
    for (const value of [3, 0.25, 12, 4]) histogram.record(value);
    expect(histogram.snapshot()).toMatchObject({ count: 4, sum: 19.25, min: 0.25, max: 12 });
  });

  it('reports an empty histogram with zero min and max', () => {
    expect(new FixedHistogram([1, 2]).snapshot()).toEqual({
      boundaries: [1, 2],
      counts: [0, 0, 0],
      count: 0,
      sum: 0,
      min: 0,
      max: 0,
    });
  });

  it('ignores NaN, which has no bucket', () => {
    const histogram = new FixedHistogram([1]);
    histogram.record(Number.NaN);
    histogram.record(2);
    expect(histogram.snapshot()).toMatchObject({ counts: [0, 1], count: 1, sum: 2 });
  });

  it('hands out snapshots that later records do not change, all sharing one boundaries array', () => {
    const histogram = new FixedHistogram([1, 2]);
    histogram.record(1);
    const first = histogram.snapshot();
    histogram.record(2);
    const second = histogram.snapshot();
    expect(first).toMatchObject({ counts: [1, 0, 0], count: 1 });
    expect(second).toMatchObject({ counts: [1, 1, 0], count: 2 });
    expect(second.boundaries).toBe(first.boundaries);
    expect(Object.isFrozen(first.boundaries)).toBe(true);
  });

  it('does not follow later changes to the array it was built from', () => {
    const bounds = [1, 2];
    const histogram = new FixedHistogram(bounds);
    bounds[0] = 100;
    histogram.record(1.5);
    expect(histogram.snapshot()).toMatchObject({ boundaries: [1, 2], counts: [0, 1, 0] });
  });

  it('has one overflow bucket and nothing else when given no bounds', () => {
    const histogram = new FixedHistogram([]);
    histogram.record(7);
    expect(histogram.snapshot()).toMatchObject({ counts: [1], count: 1, min: 7, max: 7 });
  });

  it.each([[[1, 1]], [[2, 1]], [[0, Number.POSITIVE_INFINITY]], [[Number.NaN]]])(
    'refuses the boundaries %j: they must be finite and ascend strictly',
    (bounds) => {
      expect(() => new FixedHistogram(bounds)).toThrow(RangeError);
    },
  );
});

describe('the server histograms’ boundaries', () => {
  it('include every OpenTelemetry v1.37 advisory bucket of rpc.server.duration, in ms', () => {
    const semconv = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    expect(DURATION_BOUNDARIES_MS.filter((bound) => bound === 0 || bound >= 5)).toEqual(semconv);
  });

  it('split the first millisecond, where a LAN call’s server time lies', () => {
    expect(DURATION_BOUNDARIES_MS.filter((bound) => bound > 0 && bound <= 1).length).toBeGreaterThanOrEqual(6);
  });

  it('make histograms, i.e. ascend strictly', () => {
    expect(() => new FixedHistogram(DURATION_BOUNDARIES_MS)).not.toThrow();
    expect(() => new FixedHistogram(SIZE_BOUNDARIES_BYTES)).not.toThrow();
  });

  it('measure sizes in powers of two from 64 B to 4 MiB', () => {
    expect(SIZE_BOUNDARIES_BYTES[0]).toBe(64);
    expect(SIZE_BOUNDARIES_BYTES.at(-1)).toBe(4 * 1024 * 1024);
    expect(
      SIZE_BOUNDARIES_BYTES.every((bound, i) => i === 0 || bound === 2 * (SIZE_BOUNDARIES_BYTES[i - 1] as number)),
    ).toBe(true);
  });
});
