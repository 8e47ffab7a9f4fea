import { describe, expect, it } from 'vitest';
import { toHistogramBounds } from './histogram-bounds.js';

describe('toHistogramBounds', () => {
  it.each([
    [0.3, 68, [0.5, 1, 2, 5, 10, 20, 50, 100]],
    [1, 100, [1, 2, 5, 10, 20, 50, 100]],
    [0.04, 0.15, [0.05, 0.1, 0.2]],
    [0.2, 0.2, [0.2]],
    [2.5, 3, [5]],
    [700, 4100, [1000, 2000, 5000]],
  ])('runs from the first bound ≥ %d ms to the first bound ≥ %d ms', (minMs, maxMs, bounds) => {
    expect(toHistogramBounds(minMs, maxMs)).toEqual(bounds);
  });

  it('writes each bound as the exact decimal, not a float product (0.05, not 0.05000000000000001)', () => {
    const bounds = toHistogramBounds(0.001, 1);
    expect(bounds).toEqual([0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
    expect(bounds.map(String)).toEqual(['0.001', '0.002', '0.005', '0.01', '0.02', '0.05', '0.1', '0.2', '0.5', '1']);
  });

  it('starts no lower than 1 µs, so a zero latency still gets a finite list', () => {
    expect(toHistogramBounds(0, 0)).toEqual([0.001]);
    expect(toHistogramBounds(0, 0.004)).toEqual([0.001, 0.002, 0.005]);
  });
});
