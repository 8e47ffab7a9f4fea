import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from './latency.js';

function recorderOf(samplesMs: readonly number[]): LatencyRecorder {
  const recorder = new LatencyRecorder();
  for (const ms of samplesMs) recorder.record(ms);
  return recorder;
}

const ONE_TO_HUNDRED_MS = Array.from({ length: 100 }, (_, i) => i + 1);

describe('LatencyRecorder', () => {
  it('gives exact min, mean and max, and percentiles within 0.1 % on 1..100 ms', () => {
    const summary = recorderOf(ONE_TO_HUNDRED_MS).summary();
    expect(summary).toMatchObject({ min: 1, mean: 50.5, max: 100 });
    expect(summary?.p50).toBeCloseTo(50, 1);
    expect(summary?.p90).toBeCloseTo(90, 1);
    expect(summary?.p99).toBeCloseTo(99, 1);
    expect(summary?.p999).toBe(100);
  });

  it('keeps percentiles within [min, max] when every call took the same time', () => {
    // HdrHistogram reports the top of a value's sub-bucket (0.5 ms reads back as 0.50024 ms).
    const summary = recorderOf([0.5, 0.5, 0.5]).summary();
    expect(summary).toEqual({ min: 0.5, mean: 0.5, p50: 0.5, p90: 0.5, p99: 0.5, p999: 0.5, max: 0.5 });
  });

  it('has no summary and no histogram before the first call', () => {
    const recorder = new LatencyRecorder();
    expect(recorder.summary()).toBeUndefined();
    expect(recorder.histogram()).toEqual([]);
  });

  it('splits 1..100 ms into ten linear buckets of ten calls each', () => {
    const buckets = recorderOf(ONE_TO_HUNDRED_MS).histogram(10);
    expect(buckets.map((b) => b.count)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    expect(buckets[0]?.upToMs).toBeCloseTo(10.9, 6);
    expect(buckets[9]?.upToMs).toBe(100);
  });

  it('counts a skewed distribution into the right buckets, totalling every call', () => {
    // 90 fast calls at 1 ms, 9 at 5 ms (exactly on a bound: upper bounds are inclusive), one
    // outlier at 11 ms: buckets of 1 ms from 1 to 11.
    const samples = [...Array<number>(90).fill(1), ...Array<number>(9).fill(5), 11];
    const buckets = recorderOf(samples).histogram(10);
    expect(buckets.map((b) => b.count)).toEqual([90, 0, 0, 9, 0, 0, 0, 0, 0, 1]);
  });

  it('gives one bucket when every call took the same time', () => {
    expect(recorderOf([2, 2, 2]).histogram(10)).toEqual([{ upToMs: 2, count: 3 }]);
  });

  it('keeps memory bounded: a million calls still answer in one histogram', () => {
    const recorder = new LatencyRecorder();
    for (let i = 0; i < 1_000_000; i++) recorder.record(0.1 + (i % 1000) / 1000);
    const buckets = recorder.histogram(10);
    expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(1_000_000);
    expect(recorder.summary()?.p50).toBeCloseTo(0.6, 2);
  });
});
