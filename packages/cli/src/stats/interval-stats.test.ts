import type { StatsReport, StatsSeriesReport } from '@volley/wire';
import { DURATION_BOUNDARIES_MS, FixedHistogram, SIZE_BOUNDARIES_BYTES } from '@volley/wire/internal';
import { describe, expect, it } from 'vitest';
import { computeIntervalStats } from './interval-stats.js';

/** What a series saw, cumulatively: calls by code, their durations, and the rest. */
interface SeriesSpec {
  procedure: string;
  transport?: string;
  calls: Record<string, number>;
  durationsMs: readonly number[];
  inFlight?: number;
  replayed?: number;
  dropped?: number;
}

function seriesOf(spec: SeriesSpec): StatsSeriesReport {
  const duration = new FixedHistogram(DURATION_BOUNDARIES_MS);
  for (const value of spec.durationsMs) duration.record(value);
  const sizes = new FixedHistogram(SIZE_BOUNDARIES_BYTES).snapshot();
  return {
    procedure: spec.procedure,
    transport: spec.transport ?? 'udp',
    calls: spec.calls,
    inFlight: spec.inFlight ?? 0,
    replayed: spec.replayed ?? 0,
    dropped: spec.dropped ?? 0,
    durationMs: duration.snapshot(),
    requestBytes: sizes,
    responseBytes: sizes,
  };
}

function reportOf(uptimeMs: number, series: SeriesSpec[], incarnation = 7): StatsReport {
  return {
    status: 'serving',
    protocol: 1,
    uptimeMs,
    startedAt: 1_700_000_000_000,
    incarnation,
    inFlight: 0,
    series: series.map(seriesOf),
    counters: {},
  };
}

const repeat = (value: number, times: number): number[] => new Array<number>(times).fill(value);

describe('computeIntervalStats', () => {
  it('gives calls/s, error rate and latency quantiles of what happened between two reports', () => {
    const before = reportOf(10_000, [{ procedure: 'kv.get', calls: { OK: 100 }, durationsMs: repeat(5, 100) }]);
    // 200 more calls in 2 s: 190 OK, 10 NOT_FOUND; all of them took between 0.01 and 0.025 ms.
    const after = reportOf(12_000, [
      {
        procedure: 'kv.get',
        calls: { OK: 290, NOT_FOUND: 10 },
        durationsMs: [...repeat(5, 100), ...repeat(0.02, 200)],
      },
    ]);
    const interval = computeIntervalStats(before, after);
    expect(interval).toMatchObject({ intervalMs: 2000, restarted: false, uptimeMs: 12_000 });
    const [row] = interval.procedures;
    expect(row).toMatchObject({
      procedure: 'kv.get',
      transports: ['udp'],
      calls: 200,
      callsPerSecond: 100,
      errors: 10,
      errorRate: 0.05,
      errorsByCode: { NOT_FOUND: 10 },
    });
    // The earlier slow calls (5 ms) are not in this interval's quantiles.
    expect(row?.p50Ms).toBeGreaterThan(0.01);
    expect(row?.p50Ms).toBeLessThanOrEqual(0.025);
    expect(row?.p99Ms).toBeLessThanOrEqual(0.025);
  });

  it('adds a procedure’s transports together and sorts procedures by calls/s', () => {
    const before = reportOf(0, []);
    const after = reportOf(1000, [
      { procedure: 'a.slow', calls: { OK: 5 }, durationsMs: repeat(200, 5) },
      { procedure: 'b.busy', transport: 'tcp', calls: { OK: 30 }, durationsMs: repeat(0.5, 30) },
      { procedure: 'b.busy', transport: 'udp', calls: { OK: 20, INTERNAL: 10 }, durationsMs: repeat(1, 30) },
    ]);
    const interval = computeIntervalStats(before, after);
    expect(interval.procedures.map((row) => [row.procedure, row.callsPerSecond])).toEqual([
      ['b.busy', 60],
      ['a.slow', 5],
    ]);
    expect(interval.procedures[0]).toMatchObject({ transports: ['tcp', 'udp'], errors: 10, errorRate: 10 / 60 });
    expect(interval.total).toMatchObject({ procedure: 'total', calls: 65, callsPerSecond: 65, errors: 10 });
    expect(interval.total.p99Ms).toBeGreaterThan(100);
  });

  it('leaves out procedures idle in the interval, but keeps those with calls in flight', () => {
    const quiet = { procedure: 'kv.quiet', calls: { OK: 3 }, durationsMs: repeat(1, 3) };
    const before = reportOf(1000, [quiet, { procedure: 'kv.held', calls: { OK: 0 }, durationsMs: [] }]);
    const after = reportOf(2000, [quiet, { procedure: 'kv.held', calls: { OK: 0 }, durationsMs: [], inFlight: 2 }]);
    const interval = computeIntervalStats(before, after);
    expect(interval.procedures).toEqual([
      expect.objectContaining({ procedure: 'kv.held', calls: 0, inFlight: 2, errorRate: null, p50Ms: null }),
    ]);
  });

  it('counts replays and dropped duplicates of the interval apart from calls', () => {
    const before = reportOf(0, [{ procedure: 'kv.set', calls: { OK: 1 }, durationsMs: [1], replayed: 4, dropped: 1 }]);
    const after = reportOf(1000, [
      { procedure: 'kv.set', calls: { OK: 1 }, durationsMs: [1], replayed: 6, dropped: 1 },
    ]);
    expect(computeIntervalStats(before, after).procedures).toEqual([
      expect.objectContaining({ procedure: 'kv.set', calls: 0, replayed: 2, dropped: 0 }),
    ]);
  });

  it('counts a server that restarted from zero, over its whole uptime', () => {
    const before = reportOf(60_000, [{ procedure: 'kv.get', calls: { OK: 5000 }, durationsMs: repeat(1, 50) }], 1);
    const after = reportOf(2000, [{ procedure: 'kv.get', calls: { OK: 40 }, durationsMs: repeat(1, 40) }], 2);
    const interval = computeIntervalStats(before, after);
    expect(interval).toMatchObject({ restarted: true, intervalMs: 2000, incarnation: 2 });
    expect(interval.procedures[0]).toMatchObject({ calls: 40, callsPerSecond: 20 });
  });
});
