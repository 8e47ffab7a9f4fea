import type { TransportKind } from '@volley/transport';
import { type ErrorCode, STATS_PROCEDURE, type StatsSeriesReport } from '@volley/wire';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type CallSeriesSnapshot, CallStats, OTHER_PROCEDURE } from './call-stats.js';
import type { ObservedServerCall, ServerAnswer } from './server-observer.js';

/** An observed call the test fills in as the runner does (the runner's calls implement the interface). */
type TestCall = { -readonly [K in keyof ObservedServerCall]: ObservedServerCall[K] };

interface Request {
  procedure?: string | undefined;
  known?: boolean;
  transport?: TransportKind;
  requestBytes?: number;
}

interface Outcome {
  answer?: ServerAnswer;
  code?: 'OK' | ErrorCode;
  durationMs?: number;
  responseBytes?: number;
}

/** A request as the runner would show it to observers. */
function requestOf({
  procedure = 'kv.get',
  known = true,
  transport = 'udp',
  requestBytes = 40,
}: Request = {}): TestCall {
  return {
    procedure,
    known,
    transport,
    peer: { transport, address: '127.0.0.1', port: 5000 },
    requestBytes,
    meta: undefined,
    startedAt: 0,
    code: 'OK',
    error: undefined,
    responseBytes: 0,
    durationMs: 0,
    answer: 'dispatched',
  };
}

/** Starts and ends one request, as the runner does, filling in the outcome before `end`. */
function observeOne(stats: CallStats, request: Request = {}, outcome: Outcome = {}): void {
  const call = requestOf(request);
  const watch = stats.onCall(call);
  call.answer = outcome.answer ?? 'dispatched';
  call.code = outcome.code ?? 'OK';
  call.durationMs = outcome.durationMs ?? 0.02;
  call.responseBytes = outcome.responseBytes ?? 30;
  watch.end(call);
}

function seriesOf(stats: CallStats, procedure: string, transport: TransportKind = 'udp'): CallSeriesSnapshot {
  const found = stats.snapshot().series.find((s) => s.procedure === procedure && s.transport === transport);
  if (found === undefined) throw new Error(`no series ${procedure} ${transport}`);
  return found;
}

describe('CallStats', () => {
  it('counts calls by code per procedure and transport, OK always present', () => {
    const stats = new CallStats();
    observeOne(stats);
    observeOne(stats);
    observeOne(stats, {}, { code: 'NOT_FOUND' });
    observeOne(stats, { transport: 'tcp' }, { code: 'INTERNAL' });
    observeOne(stats, { procedure: 'kv.set', transport: 'tcp' }, { code: 'BAD_REQUEST' });
    expect(seriesOf(stats, 'kv.get').calls).toEqual({ OK: 2, NOT_FOUND: 1 });
    expect(seriesOf(stats, 'kv.get', 'tcp').calls).toEqual({ OK: 0, INTERNAL: 1 });
    expect(seriesOf(stats, 'kv.set', 'tcp').calls).toEqual({ OK: 0, BAD_REQUEST: 1 });
  });

  it('counts refusals as calls, and replays and dropped duplicates apart from them', () => {
    const stats = new CallStats();
    observeOne(stats, {}, { answer: 'refused', code: 'RESOURCE_EXHAUSTED' });
    observeOne(stats, {}, { answer: 'replayed' });
    observeOne(stats, {}, { answer: 'replayed', code: 'UNAVAILABLE' });
    observeOne(stats, {}, { answer: 'dropped' });
    const series = seriesOf(stats, 'kv.get');
    expect(series).toMatchObject({ calls: { OK: 0, RESOURCE_EXHAUSTED: 1 }, replayed: 2, dropped: 1 });
    // Only the call is in the histograms: a resend is not another call's duration or size.
    expect(series.durationMs.count).toBe(1);
    expect(series.requestBytes.count).toBe(1);
  });

  it('puts names the server does not have, and messages without one, under _OTHER', () => {
    const stats = new CallStats();
    for (let i = 0; i < 100; i++) observeOne(stats, { procedure: `scan.${i}`, known: false }, { code: 'NOT_FOUND' });
    observeOne(stats, { procedure: undefined, known: false }, { answer: 'refused', code: 'BAD_REQUEST' });
    const names = stats.snapshot().series.map((s) => s.procedure);
    expect(names).toEqual([OTHER_PROCEDURE]);
    expect(seriesOf(stats, OTHER_PROCEDURE).calls).toEqual({ OK: 0, NOT_FOUND: 100, BAD_REQUEST: 1 });
  });

  it('keeps built-ins in series of their own', () => {
    const stats = new CallStats();
    observeOne(stats, { procedure: STATS_PROCEDURE });
    expect(seriesOf(stats, STATS_PROCEDURE).calls.OK).toBe(1);
  });

  it('counts a request in flight from its arrival to its answer', () => {
    const stats = new CallStats();
    const first = requestOf();
    const second = requestOf();
    const firstWatch = stats.onCall(first);
    const secondWatch = stats.onCall(second);
    expect(seriesOf(stats, 'kv.get').inFlight).toBe(2);
    firstWatch.end(first);
    expect(seriesOf(stats, 'kv.get').inFlight).toBe(1);
    second.answer = 'dropped';
    secondWatch.end(second);
    expect(seriesOf(stats, 'kv.get').inFlight).toBe(0);
  });

  it('records duration, request and reply sizes into histograms over the shared boundaries', () => {
    const stats = new CallStats();
    observeOne(stats, { requestBytes: 100 }, { durationMs: 0.003, responseBytes: 3000 });
    observeOne(stats, { requestBytes: 50 }, { durationMs: 40, responseBytes: 0 });
    const { durationMs, requestBytes, responseBytes } = seriesOf(stats, 'kv.get');
    expect(durationMs).toMatchObject({ count: 2, min: 0.003, max: 40 });
    expect(durationMs.counts[durationMs.boundaries.indexOf(0.005)]).toBe(1);
    expect(durationMs.counts[durationMs.boundaries.indexOf(50)]).toBe(1);
    expect(requestBytes).toMatchObject({ count: 2, sum: 150, min: 50, max: 100 });
    expect(responseBytes).toMatchObject({ count: 2, sum: 3000, min: 0, max: 3000 });
  });

  it('hands every call of a series the same watch: nothing is allocated per call', () => {
    const stats = new CallStats();
    const a = stats.onCall(requestOf());
    const b = stats.onCall(requestOf());
    const other = stats.onCall(requestOf({ transport: 'tcp' }));
    expect(a).toBe(b);
    expect(other).not.toBe(a);
  });

  it('lists series by procedure then transport, with the time counting began', () => {
    const before = Date.now();
    const stats = new CallStats();
    observeOne(stats, { procedure: 'kv.set', transport: 'udp' });
    observeOne(stats, { procedure: 'echo.add', transport: 'udp' });
    observeOne(stats, { procedure: 'kv.set', transport: 'tcp' });
    const snapshot = stats.snapshot();
    expect(snapshot.series.map((s) => `${s.procedure} ${s.transport}`)).toEqual([
      'echo.add udp',
      'kv.set tcp',
      'kv.set udp',
    ]);
    expect(snapshot.startedAt).toBeGreaterThanOrEqual(before);
    expect(snapshot.startedAt).toBeLessThanOrEqual(Date.now());
  });

  it('gives snapshots that later calls do not change', () => {
    const stats = new CallStats();
    observeOne(stats);
    const snapshot = stats.snapshot();
    observeOne(stats, {}, { code: 'INTERNAL' });
    expect(snapshot.series[0]).toMatchObject({ calls: { OK: 1 }, durationMs: { count: 1 } });
  });

  it('snapshots series as $stats reports them', () => {
    expectTypeOf<CallSeriesSnapshot>().toExtend<StatsSeriesReport>();
  });
});
