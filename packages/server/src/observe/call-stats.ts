import type { TransportKind } from '@volley/transport';
import { ERROR_CODES, type StatsSeriesReport } from '@volley/wire';
import { DURATION_BOUNDARIES_MS, FixedHistogram, SIZE_BOUNDARIES_BYTES } from '@volley/wire/internal';
import type { ObservedServerCall, ServerCallWatch, ServerObserver } from './server-observer.js';

/**
 * The series every request goes to whose procedure the server does not have, or that could not be
 * read that far (malformed, unsigned): OpenTelemetry's name for a value kept out of a label. A
 * peer sends whatever names it likes; only the server's own procedures get series of their own.
 */
export const OTHER_PROCEDURE = '_OTHER';

/**
 * One procedure over one transport, as {@link CallStats} counted it since it began: a series of
 * `$stats`'s report (wire's {@link StatsSeriesReport}, which documents each field), with the
 * transport typed. A procedure the server has (built-ins included), or {@link OTHER_PROCEDURE}.
 */
export interface CallSeriesSnapshot extends StatsSeriesReport {
  readonly transport: TransportKind;
}

/** What {@link CallStats.snapshot} returns: counts since `startedAt`, never reset. */
export interface CallStatsSnapshot {
  /** Epoch milliseconds when counting began (the server's creation). */
  readonly startedAt: number;
  /** One entry per procedure and transport that has seen a request, by procedure then transport. */
  readonly series: readonly CallSeriesSnapshot[];
}

/** The codes a series counts, `OK` first; a code outside the table (none today) counts as `_OTHER`. */
const CODES: readonly string[] = ['OK', ...Object.keys(ERROR_CODES), OTHER_PROCEDURE];
const CODE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(CODES.map((code, i) => [code, i]));
const OTHER_CODE_INDEX = CODES.length - 1;

/**
 * Counts every request a server receives, per procedure and transport: calls by code, requests in
 * flight, and histograms of duration, request size and reply size. The aggregation `$stats`,
 * `volley stats` and metric exporters read; on in every server (`callStats: false` turns it off).
 *
 * Cost per request: one `Map` lookup by procedure name in `onCall`, then a scan of that
 * procedure's series (one per transport it arrived on, rarely more than two); the series itself
 * is the watch, so nothing is allocated per call and `end` needs no lookup. Memory is bounded:
 * at most (procedures + 1) × transports series, whatever peers send.
 *
 * @example
 * const stats = new CallStats();
 * const server = createServer({ router, callStats: false, observers: [stats] });
 * stats.snapshot().series.find((s) => s.procedure === 'kv.get')?.calls.OK;
 */
export class CallStats implements ServerObserver {
  readonly #startedAt = Date.now();
  /** Series by procedure name, one per transport the procedure was called on. */
  readonly #series = new Map<string, CallSeries[]>();

  onCall(call: ObservedServerCall): ServerCallWatch {
    const procedure = call.known && call.procedure !== undefined ? call.procedure : OTHER_PROCEDURE;
    let row = this.#series.get(procedure);
    if (row === undefined) {
      row = [];
      this.#series.set(procedure, row);
    }
    let series: CallSeries | undefined;
    for (let i = 0; i < row.length; i++) {
      if ((row[i] as CallSeries).transport === call.transport) {
        series = row[i];
        break;
      }
    }
    if (series === undefined) {
      series = new CallSeries(procedure, call.transport);
      row.push(series);
    }
    series.inFlight++;
    return series;
  }

  /** The counts as they are now: a copy, which later calls do not change. */
  snapshot(): CallStatsSnapshot {
    const series: CallSeriesSnapshot[] = [];
    for (const row of this.#series.values()) for (const one of row) series.push(one.snapshot());
    series.sort((a, b) =>
      a.procedure === b.procedure ? compare(a.transport, b.transport) : compare(a.procedure, b.procedure),
    );
    return { startedAt: this.#startedAt, series };
  }
}

/** One procedure over one transport; the watch of all its calls, so `end` finds it without a lookup. */
class CallSeries implements ServerCallWatch {
  readonly procedure: string;
  readonly transport: TransportKind;
  /** Calls by code, indexed as {@link CODES}. */
  readonly #calls = new Float64Array(CODES.length);
  inFlight = 0;
  #replayed = 0;
  #dropped = 0;
  readonly #durationMs = new FixedHistogram(DURATION_BOUNDARIES_MS);
  readonly #requestBytes = new FixedHistogram(SIZE_BOUNDARIES_BYTES);
  readonly #responseBytes = new FixedHistogram(SIZE_BOUNDARIES_BYTES);

  constructor(procedure: string, transport: TransportKind) {
    this.procedure = procedure;
    this.transport = transport;
  }

  end(call: ObservedServerCall): void {
    this.inFlight--;
    const answer = call.answer;
    // A resend or a dropped duplicate belongs to a call counted when it first arrived.
    if (answer === 'replayed') {
      this.#replayed++;
      return;
    }
    if (answer === 'dropped') {
      this.#dropped++;
      return;
    }
    const calls = this.#calls;
    const code = call.code === 'OK' ? 0 : (CODE_INDEX[call.code] ?? OTHER_CODE_INDEX);
    calls[code] = (calls[code] as number) + 1;
    this.#durationMs.record(call.durationMs);
    this.#requestBytes.record(call.requestBytes);
    this.#responseBytes.record(call.responseBytes);
  }

  snapshot(): CallSeriesSnapshot {
    const calls: Record<string, number> = { OK: this.#calls[0] as number };
    for (let i = 1; i < CODES.length; i++) {
      const count = this.#calls[i] as number;
      if (count > 0) calls[CODES[i] as string] = count;
    }
    return {
      procedure: this.procedure,
      transport: this.transport,
      calls,
      inFlight: this.inFlight,
      replayed: this.#replayed,
      dropped: this.#dropped,
      durationMs: this.#durationMs.snapshot(),
      requestBytes: this.#requestBytes.snapshot(),
      responseBytes: this.#responseBytes.snapshot(),
    };
  }
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
