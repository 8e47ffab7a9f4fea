import { describe, expect, it } from 'vitest';
import type { IntervalStats, ProcedureInterval } from './interval-stats.js';
import { formatMs, renderStatsTable } from './stats-table.js';

function row(procedure: string, fields: Partial<ProcedureInterval> = {}): ProcedureInterval {
  return {
    procedure,
    transports: ['udp'],
    calls: 0,
    callsPerSecond: 0,
    errors: 0,
    errorRate: null,
    errorsByCode: {},
    p50Ms: null,
    p99Ms: null,
    inFlight: 0,
    replayed: 0,
    dropped: 0,
    ...fields,
  };
}

const interval: IntervalStats = {
  status: 'serving',
  uptimeMs: 252_000,
  incarnation: 9,
  intervalMs: 1000,
  restarted: false,
  procedures: [
    row('echo.add', { calls: 4210, callsPerSecond: 4210, errorRate: 0, p50Ms: 0.0142, p99Ms: 0.12 }),
    row('kv.get', {
      calls: 12,
      callsPerSecond: 12,
      errors: 1,
      errorRate: 1 / 12,
      errorsByCode: { NOT_FOUND: 1 },
      p50Ms: 1.2,
      p99Ms: 3.41,
      inFlight: 2,
    }),
  ],
  total: row('total', {
    calls: 4222,
    callsPerSecond: 4222,
    errorRate: 1 / 4222,
    p50Ms: 0.0145,
    p99Ms: 0.14,
    inFlight: 2,
  }),
};

describe('renderStatsTable', () => {
  it('shows a heading, then one aligned row per procedure, busiest first, then the total', () => {
    expect(renderStatsTable(interval, { target: 'udp://127.0.0.1:4000' })).toEqual([
      'udp://127.0.0.1:4000 · serving · up 4m 12s · last 1.0 s',
      '',
      'PROCEDURE  CALLS/S  ERRORS             P50     P99  IN FLIGHT',
      'echo.add    4210.0  0.0%              14µs   120µs          0',
      'kv.get        12.0  8.3% NOT_FOUND  1.20ms  3.41ms          2',
      'total       4222.0  0.0%              15µs   140µs          2',
    ]);
  });

  it('names the worker and a restart in the heading', () => {
    const [heading] = renderStatsTable(
      { ...interval, worker: { id: 2, count: 4, pid: 99 }, restarted: true },
      { target: 't' },
    );
    expect(heading).toBe('t · serving · up 4m 12s · worker 2 of 4 · last 1.0 s · restarted: counting from its start');
  });

  it('cuts the rows to fit a terminal and says how many it left out', () => {
    const lines = renderStatsTable(interval, { target: 't', maxRows: 1 });
    expect(lines.slice(3)).toEqual([
      expect.stringMatching(/^echo\.add /),
      '… 1 more procedure',
      expect.stringMatching(/^total /),
    ]);
  });

  it('says so when nothing was called, with dashes for rates and latencies', () => {
    const idle = { ...interval, procedures: [], total: row('total') };
    expect(renderStatsTable(idle, { target: 't' }).slice(2)).toEqual([
      'PROCEDURE  CALLS/S  ERRORS  P50  P99  IN FLIGHT',
      '(no calls in this interval)',
      'total          0.0  -         -    -          0',
    ]);
  });
});

describe('formatMs', () => {
  it.each([
    [0.0142, '14µs'],
    [0.999, '999µs'],
    [1.2, '1.20ms'],
    [35.24, '35.2ms'],
    [2500, '2.50s'],
    [null, '-'],
    [Number.NaN, '-'],
  ])('writes %s ms as %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});
