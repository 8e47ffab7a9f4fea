import { RpcError } from '@volley/client';
import { describe, expect, it } from 'vitest';
import { formatBenchText } from './report-text.js';
import { toBenchReport } from './report.js';
import { LoadTally } from './tally.js';

const TARGET = { url: 'udp://127.0.0.1:4000', procedure: 'echo.add', concurrency: 8, connections: 2 };

/** 1..100 ms, the first five failed with NOT_FOUND, over one second. */
function finishedRun() {
  const tally = new LoadTally();
  for (let ms = 1; ms <= 100; ms++) {
    if (ms <= 5) tally.recordError(ms, new RpcError('NOT_FOUND', 'No procedure "echo.nope"'));
    else tally.recordOk(ms);
  }
  return toBenchReport(TARGET, { tally, durationMs: 1000 });
}

describe('toBenchReport', () => {
  it('has the documented JSON shape', () => {
    const report = finishedRun();
    expect(report).toMatchObject({
      target: 'udp://127.0.0.1:4000',
      procedure: 'echo.add',
      transport: 'udp',
      concurrency: 8,
      connections: 2,
      durationMs: 1000,
      calls: 100,
      ok: 95,
      errors: { NOT_FOUND: { count: 5, sample: 'No procedure "echo.nope"' } },
      callsPerSecond: 100,
      latencyMs: { min: 1, mean: 50.5, max: 100 },
    });
    expect(Object.keys(report.latencyMs ?? {})).toEqual(['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max']);
    expect(report.histogram).toHaveLength(10);
    expect(report.histogram.reduce((sum, b) => sum + b.count, 0)).toBe(100);
    expect(report.histogram[0]).toEqual({ upToMs: 10.9, count: 10 });
  });

  it('round-trips through JSON unchanged', () => {
    const report = finishedRun();
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('lists error codes most frequent first', () => {
    const tally = new LoadTally();
    tally.recordError(1, new RpcError('INTERNAL', 'boom'));
    for (let i = 0; i < 3; i++) tally.recordError(1, new RpcError('UNAVAILABLE', 'refused'));
    expect(Object.keys(toBenchReport(TARGET, { tally, durationMs: 10 }).errors)).toEqual(['UNAVAILABLE', 'INTERNAL']);
  });

  it('reports null latency and no histogram when no call finished', () => {
    const report = toBenchReport(TARGET, { tally: new LoadTally(), durationMs: 5 });
    expect(report).toMatchObject({ calls: 0, callsPerSecond: 0, latencyMs: null, histogram: [] });
  });
});

describe('formatBenchText', () => {
  const text = formatBenchText(finishedRun());

  it('shows the summary and each error code with its sample message', () => {
    expect(text).toMatch(/^ {2}Calls:\s+100$/m);
    expect(text).toMatch(/^ {2}Errors:\s+5$/m);
    expect(text).toMatch(/^ {2}NOT_FOUND\s+5\s+No procedure "echo.nope"$/m);
  });

  it('prints one line per percentile, in ms', () => {
    for (const [label, value] of [
      ['min', '1.000'],
      ['mean', '50.50'],
      ['p50', '50.0'],
      ['p90', '90.0'],
      ['p99', '99.0'],
      ['p99.9', '100.0'],
      ['max', '100.0'],
    ] as const) {
      expect(text).toMatch(new RegExp(`^ {2}${label.replace('.', '\\.')}\\s+${value}`, 'm'));
    }
  });

  it('draws ten histogram bars scaled to the largest bucket', () => {
    const bars = text.split('\n').filter((line) => line.includes('|'));
    expect(bars).toHaveLength(10);
    // Every bucket holds 10 calls: every bar is full width.
    for (const bar of bars) expect(bar).toMatch(/\[10\] \|█{40}$/);
    expect(bars[0]).toMatch(/^ {2}10\.90 \[10\]/);
    expect(bars[9]).toMatch(/^ {2}100\.0 \[10\]/);
  });

  it('gives a small non-empty bucket at least one block and an empty one none', () => {
    const tally = new LoadTally();
    for (let i = 0; i < 1000; i++) tally.recordOk(1);
    tally.recordOk(11);
    const bars = formatBenchText(toBenchReport(TARGET, { tally, durationMs: 1000 }))
      .split('\n')
      .filter((line) => line.includes('|'));
    expect(bars[0]).toMatch(/\[1000\] \|█{40}$/);
    expect(bars[1]).toMatch(/\[ {3}0\] \|$/);
    expect(bars[9]).toMatch(/\[ {3}1\] \|█$/);
  });
});
