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

  it('buckets 1..100 ms on the 1-2-5 series from 1 to 100 ms, upper bounds inclusive', () => {
    const buckets = recorderOf(ONE_TO_HUNDRED_MS).histogram();
    expect(buckets).toEqual([
      { upToMs: 1, count: 1 },
      { upToMs: 2, count: 1 },
      { upToMs: 5, count: 3 },
      { upToMs: 10, count: 5 },
      { upToMs: 20, count: 10 },
      { upToMs: 50, count: 30 },
      { upToMs: 100, count: 50 },
    ]);
  });

  it('shows a tail two decades out, with the empty buckets before it, totalling every call', () => {
    // 90 fast calls at 0.3 ms, 9 at 2 ms (exactly on a bound), one outlier at 45 ms.
    const samples = [...Array<number>(90).fill(0.3), ...Array<number>(9).fill(2), 45];
    const buckets = recorderOf(samples).histogram();
    expect(buckets.map((b) => b.upToMs)).toEqual([0.5, 1, 2, 5, 10, 20, 50]);
    expect(buckets.map((b) => b.count)).toEqual([90, 0, 9, 0, 0, 0, 1]);
  });

  it('gives the same bounds to two runs whose calls fall in the same decades', () => {
    const bounds = (samples: number[]) =>
      recorderOf(samples)
        .histogram()
        .map((b) => b.upToMs);
    expect(bounds([0.31, 0.9, 4.2])).toEqual(bounds([0.42, 0.7, 3.9]));
  });

  it('gives one bucket when every call took the same time', () => {
    expect(recorderOf([2, 2, 2]).histogram()).toEqual([{ upToMs: 2, count: 3 }]);
    expect(recorderOf([0.3, 0.3]).histogram()).toEqual([{ upToMs: 0.5, count: 2 }]);
  });

  it('keeps memory bounded: a million calls still answer in one histogram', () => {
    const recorder = new LatencyRecorder();
    for (let i = 0; i < 1_000_000; i++) recorder.record(0.1 + (i % 1000) / 1000);
    const buckets = recorder.histogram();
    expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(1_000_000);
    expect(recorder.summary()?.p50).toBeCloseTo(0.6, 2);
  });
});
