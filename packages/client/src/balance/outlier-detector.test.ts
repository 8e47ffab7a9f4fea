import { describe, expect, it } from 'vitest';
import { OutlierDetector, type OutlierState } from './outlier-detector.js';

const state = (over: Partial<OutlierState> = {}): OutlierState => ({
  consecutiveFailures: 0,
  timesEjected: 0,
  ejected: false,
  windowCalls: 0,
  windowFailures: 0,
  ...over,
});

describe('OutlierDetector', () => {
  it('ejects after the configured failures in a row; a success in between resets the count', () => {
    const detector = new OutlierDetector({ consecutiveFailures: 3 });
    const endpoint = state();
    expect(detector.record(endpoint, true)).toBe(false);
    expect(detector.record(endpoint, true)).toBe(false);
    expect(detector.record(endpoint, false)).toBe(false);
    expect(detector.record(endpoint, true)).toBe(false);
    expect(detector.record(endpoint, true)).toBe(false);
    expect(detector.record(endpoint, true)).toBe(true);
  });

  it('ejects at once on a refusal that says the server is draining', () => {
    expect(new OutlierDetector().record(state(), true, true)).toBe(true);
  });

  it('doubles the ejection time with each ejection, up to the cap', () => {
    const detector = new OutlierDetector({ baseEjectionMs: 1_000, maxEjectionMs: 5_000 });
    expect([0, 1, 2, 3, 10].map((timesEjected) => detector.ejectionMs(state({ timesEjected })))).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it('never ejects the last endpoint, and at most the configured fraction', () => {
    const detector = new OutlierDetector({ maxEjectedFraction: 0.5 });
    expect(detector.mayEject([state()])).toBe(false);
    expect(detector.mayEject([state(), state()])).toBe(true);
    expect(detector.mayEject([state({ ejected: true }), state()])).toBe(false);
    expect(detector.mayEject([state({ ejected: true }), state(), state(), state()])).toBe(true);
    expect(detector.mayEject([state({ ejected: true }), state({ ejected: true }), state(), state()])).toBe(false);
  });

  it('finds an endpoint whose failure rate is high and far above its peers, then starts a new window', () => {
    const detector = new OutlierDetector();
    const sick = state({ windowCalls: 40, windowFailures: 30 });
    const peers = [state({ windowCalls: 40, windowFailures: 2 }), state({ windowCalls: 40, windowFailures: 1 })];
    expect(detector.rateOutliers([sick, ...peers])).toEqual([sick]);
    expect(sick.windowCalls).toBe(0);
    // All failing alike is not an outlier: the fault is likely not in one endpoint.
    const alike = [0, 1, 2].map(() => state({ windowCalls: 40, windowFailures: 30 }));
    expect(detector.rateOutliers(alike)).toEqual([]);
    // Too few calls to judge.
    expect(detector.rateOutliers([state({ windowCalls: 5, windowFailures: 5 }), ...peers])).toEqual([]);
  });
});
