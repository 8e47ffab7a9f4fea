import { RpcError } from '@volley/client';
import { describe, expect, it } from 'vitest';
import { toBenchReport } from './report.js';
import { formatBenchText } from './report-text.js';
import { LoadTally } from './tally.js';

const TARGET = {
  url: 'udp://127.0.0.1:4000',
  procedure: 'echo.add',
  mode: { kind: 'closed', concurrency: 8 },
  connections: 2,
} as const;
const OPEN_TARGET = { ...TARGET, mode: { kind: 'open', rate: 2000, maxInFlight: 512 } } as const;

/** A measured run without warm-up. */
function runOf(tally: LoadTally, durationMs: number) {
  return { measured: { tally, durationMs }, warmup: undefined };
}

/** 1..100 ms, the first five failed with NOT_FOUND, over one second. */
function finishedRun() {
  const tally = new LoadTally();
  for (let ms = 1; ms <= 100; ms++) {
    if (ms <= 5) tally.recordError(ms, new RpcError('NOT_FOUND', 'No procedure "echo.nope"'));
    else tally.recordOk(ms);
  }
  return toBenchReport(TARGET, runOf(tally, 1000));
}

describe('toBenchReport', () => {
  it('has the documented JSON shape', () => {
    const report = finishedRun();
    expect(report).toMatchObject({
      target: 'udp://127.0.0.1:4000',
      procedure: 'echo.add',
      transport: 'udp',
      mode: 'closed',
      concurrency: 8,
      connections: 2,
      rate: null,
      warmup: null,
      durationMs: 1000,
      calls: 100,
      ok: 95,
      errors: { NOT_FOUND: { count: 5, sample: 'No procedure "echo.nope"' } },
      callsPerSecond: 100,
      latencyMs: { min: 1, mean: 50.5, max: 100 },
    });
    expect(Object.keys(report.latencyMs ?? {})).toEqual(['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max']);
    expect(report.histogram.map((b) => b.upToMs)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(report.histogram.reduce((sum, b) => sum + b.count, 0)).toBe(100);
  });

  it('gives the mode, the cap, the rate kept and the warm-up of an open-loop run', () => {
    const tally = new LoadTally();
    tally.recordOk(1);
    const schedule = { targetRate: 2000, achievedRate: 1987.654, lateCalls: 3, lateAfterMs: 2 };
    const report = toBenchReport(OPEN_TARGET, {
      measured: { tally, durationMs: 1000, schedule },
      warmup: { durationMs: 500.04, calls: 998 },
    });
    expect(report).toMatchObject({
      mode: 'open',
      concurrency: 512,
      rate: { target: 2000, achieved: 1987.7, lateCalls: 3, lateAfterMs: 2 },
      warmup: { durationMs: 500, calls: 998 },
      calls: 1,
    });
  });

  it('round-trips through JSON unchanged', () => {
    const report = finishedRun();
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('lists error codes most frequent first', () => {
    const tally = new LoadTally();
    tally.recordError(1, new RpcError('INTERNAL', 'boom'));
    for (let i = 0; i < 3; i++) tally.recordError(1, new RpcError('UNAVAILABLE', 'refused'));
    expect(Object.keys(toBenchReport(TARGET, runOf(tally, 10)).errors)).toEqual(['UNAVAILABLE', 'INTERNAL']);
  });

  it('reports null latency and no histogram when no call finished', () => {
    const report = toBenchReport(TARGET, runOf(new LoadTally(), 5));
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

  it('says closed loop with its workers, and has no rate or warm-up lines', () => {
    expect(text).toMatch(/^ {2}Mode:\s+closed loop, 8 workers$/m);
    expect(text).not.toMatch(/Rate:|Late starts:|Warm-up:/);
  });

  it('draws one bar per 1-2-5 bucket, bounds right-aligned, scaled to the largest bucket', () => {
    const bars = text.split('\n').filter((line) => line.includes('|'));
    // 1..100 ms: 1 call ≤ 1, 1 in (1, 2], 3 in (2, 5], 5, 10, 30 and 50 in the next ones.
    expect(bars).toEqual([
      '    1 [ 1] |█',
      '    2 [ 1] |█',
      '    5 [ 3] |██',
      '   10 [ 5] |████',
      '   20 [10] |████████',
      '   50 [30] |████████████████████████',
      '  100 [50] |████████████████████████████████████████',
    ]);
  });

  it('lines the bounds up on the decimal point', () => {
    const tally = new LoadTally();
    for (const ms of [0.04, 0.3, 0.3, 12]) tally.recordOk(ms);
    const bounds = formatBenchText(toBenchReport(TARGET, runOf(tally, 1000)))
      .split('\n')
      .filter((line) => line.includes('|'))
      .map((line) => line.slice(0, line.indexOf(' [')));
    expect(bounds).toEqual([
      '   0.05',
      '   0.1 ',
      '   0.2 ',
      '   0.5 ',
      '   1   ',
      '   2   ',
      '   5   ',
      '  10   ',
      '  20   ',
    ]);
  });

  it('gives a small non-empty bucket at least one block and an empty one none', () => {
    const tally = new LoadTally();
    for (let i = 0; i < 1000; i++) tally.recordOk(1);
    tally.recordOk(11);
    const bars = formatBenchText(toBenchReport(TARGET, runOf(tally, 1000)))
      .split('\n')
      .filter((line) => line.includes('|'));
    expect(bars).toEqual([
      '   1 [1000] |████████████████████████████████████████',
      '   2 [   0] |',
      '   5 [   0] |',
      '  10 [   0] |',
      '  20 [   1] |█',
    ]);
  });

  it('shows the open loop: cap, target and achieved rate, late starts and the warm-up', () => {
    const tally = new LoadTally();
    tally.recordOk(1);
    const schedule = { targetRate: 2000, achievedRate: 1987.65, lateCalls: 3, lateAfterMs: 2 };
    const open = formatBenchText(
      toBenchReport(OPEN_TARGET, {
        measured: { tally, durationMs: 1000, schedule },
        warmup: { durationMs: 1000, calls: 1999 },
      }),
    );
    expect(open).toMatch(/^ {2}Mode:\s+open loop, at most 512 calls in flight$/m);
    expect(open).toMatch(/^ {2}Warm-up:\s+1\.00 s, 1999 calls \(not counted\)$/m);
    expect(open).toMatch(/^ {2}Rate:\s+2000 calls\/s target, 1987\.7 achieved$/m);
    expect(open).toMatch(/^ {2}Late starts:\s+3 \(more than 2 ms after their intended time\)$/m);
  });
});
