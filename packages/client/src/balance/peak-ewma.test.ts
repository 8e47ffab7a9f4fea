import { describe, expect, it } from 'vitest';
import { PeakEwma } from './peak-ewma.js';

const options = { decayMs: 10_000, initialRttMs: 5 };

describe('PeakEwma', () => {
  it('costs a new endpoint at the initial round trip, times outstanding calls plus one', () => {
    const load = new PeakEwma(options, 0);
    expect(load.cost(0)).toBe(5);
    load.start();
    load.start();
    expect(load.outstanding).toBe(2);
    expect(load.cost(0)).toBe(15);
  });

  it('jumps to a slower sample at once (the peak) and forgets it only as it decays', () => {
    const load = new PeakEwma(options, 0);
    load.start();
    load.finish(100, 0);
    expect(load.rttMs(0)).toBe(100);
    // One decay time later, 1/e of the peak is left.
    expect(load.rttMs(10_000)).toBeCloseTo(100 / Math.E, 6);
  });

  it('blends a faster sample in by the time since the last one', () => {
    const load = new PeakEwma(options, 0);
    load.start();
    load.finish(100, 0);
    load.start();
    load.finish(10, 10_000);
    const w = Math.exp(-1);
    expect(load.rttMs(10_000)).toBeCloseTo(100 * w + 10 * (1 - w), 6);
  });

  it('frees the outstanding slot without sampling a local failure', () => {
    const load = new PeakEwma(options, 0);
    load.start();
    load.finish(10_000, 0, false);
    expect(load.outstanding).toBe(0);
    expect(load.rttMs(0)).toBe(5);
  });

  it('never counts outstanding calls below zero', () => {
    const load = new PeakEwma(options, 0);
    load.finish(1, 0);
    expect(load.outstanding).toBe(0);
  });
});
