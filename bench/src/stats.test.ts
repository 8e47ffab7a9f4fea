import { describe, expect, it } from 'vitest';
import { median, nearestRank, summarizeLatency } from './stats.js';

describe('median', () => {
  it('is the middle value of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('is the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('leaves out NaN (a failed round) and is NaN for nothing', () => {
    expect(median([Number.NaN, 7, 3])).toBe(5);
    expect(median([])).toBeNaN();
    expect(median([Number.NaN])).toBeNaN();
  });
});

describe('percentiles', () => {
  const oneToThousand = Float64Array.from({ length: 1000 }, (_, i) => i + 1);

  it('takes the nearest rank: p50 of 1..1000 is 500, p99 990, p99.9 999', () => {
    expect(summarizeLatency(oneToThousand)).toEqual({ p50: 500, p99: 990, p999: 999 });
  });

  it('sorts the samples itself and leaves the caller’s array as it was', () => {
    const samples = Float64Array.from([3, 1, 2]);
    expect(summarizeLatency(samples).p50).toBe(2);
    expect([...samples]).toEqual([3, 1, 2]);
  });

  it('clamps to the smallest and largest sample and is NaN with no samples', () => {
    expect(nearestRank(Float64Array.from([4, 8]), 0)).toBe(4);
    expect(nearestRank(Float64Array.from([4, 8]), 100)).toBe(8);
    expect(summarizeLatency(new Float64Array(0)).p99).toBeNaN();
  });
});
