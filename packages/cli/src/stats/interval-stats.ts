import type { HistogramSnapshot, StatsReport, StatsSeriesReport } from '@volley/wire';
import { addSnapshots, emptySnapshot, quantileOf, subtractSnapshots } from '@volley/wire/internal';

/** One procedure over one interval, every transport it came on together. */
export interface ProcedureInterval {
  readonly procedure: string;
  /** The transports its calls came on, sorted. */
  readonly transports: readonly string[];
  /** Calls answered in the interval (refusals included, replays and dropped duplicates not). */
  readonly calls: number;
  readonly callsPerSecond: number;
  /** Calls answered with an error code. */
  readonly errors: number;
  /** `errors / calls`, from 0 to 1; null when there was no call. */
  readonly errorRate: number | null;
  /** Errors by code, the most frequent first. */
  readonly errorsByCode: Readonly<Record<string, number>>;
  /** Latency quantiles of the interval's calls, in ms, interpolated in the histogram; null when there was no call. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** Requests in flight when the interval ended. */
  readonly inFlight: number;
  /** Retransmissions answered from the reply cache, and dropped while the call ran, in the interval. */
  readonly replayed: number;
  readonly dropped: number;
}

/** What `volley stats` shows for one interval: between two `$stats` reports of one server. */
export interface IntervalStats {
  readonly status: StatsReport['status'];
  readonly uptimeMs: number;
  readonly incarnation: number;
  readonly worker?: StatsReport['worker'];
  /** The interval's length by the server's clock (its uptime at each report), in ms. */
  readonly intervalMs: number;
  /** True when the server restarted since the last report: the interval is its whole life. */
  readonly restarted: boolean;
  /** Procedures with calls, requests in flight or retransmissions, by calls/s then name. */
  readonly procedures: readonly ProcedureInterval[];
  /** Every procedure together. */
  readonly total: ProcedureInterval;
}

/** The sum over a set of series of one interval, before it is turned into rates. */
interface Sums {
  transports: Set<string>;
  calls: Map<string, number>;
  inFlight: number;
  replayed: number;
  dropped: number;
  durationMs: HistogramSnapshot | undefined;
}

/**
 * What happened between two `$stats` reports of one server, per procedure: counts are the
 * differences, latency quantiles come from the difference of the duration histograms. A report
 * from another incarnation (the server restarted, or another instance answered) counts from zero:
 * the interval is then the new process's whole life.
 */
export function computeIntervalStats(before: StatsReport, after: StatsReport): IntervalStats {
  const restarted = before.incarnation !== after.incarnation || after.uptimeMs < before.uptimeMs;
  const earlier = new Map<string, StatsSeriesReport>();
  if (!restarted) for (const one of before.series) earlier.set(`${one.procedure}\u0000${one.transport}`, one);
  const intervalMs = Math.max(1, after.uptimeMs - (restarted ? 0 : before.uptimeMs));
  const byProcedure = new Map<string, Sums>();
  const total = emptySums();
  for (const now of after.series) {
    const then = earlier.get(`${now.procedure}\u0000${now.transport}`);
    let sums = byProcedure.get(now.procedure);
    if (sums === undefined) {
      sums = emptySums();
      byProcedure.set(now.procedure, sums);
    }
    for (const target of [sums, total]) addSeries(target, now, then);
  }
  const procedures = [...byProcedure]
    .map(([procedure, sums]) => toInterval(procedure, sums, intervalMs))
    .filter((row) => row.calls > 0 || row.inFlight > 0 || row.replayed > 0 || row.dropped > 0)
    .sort((a, b) => b.callsPerSecond - a.callsPerSecond || (a.procedure < b.procedure ? -1 : 1));
  return {
    status: after.status,
    uptimeMs: after.uptimeMs,
    incarnation: after.incarnation,
    ...(after.worker !== undefined && { worker: after.worker }),
    intervalMs,
    restarted,
    procedures,
    total: toInterval('total', total, intervalMs),
  };
}

function emptySums(): Sums {
  return { transports: new Set(), calls: new Map(), inFlight: 0, replayed: 0, dropped: 0, durationMs: undefined };
}

/** Adds what one series did between `then` (absent: it is new) and `now` to `sums`. */
function addSeries(sums: Sums, now: StatsSeriesReport, then: StatsSeriesReport | undefined): void {
  sums.transports.add(now.transport);
  for (const [code, count] of Object.entries(now.calls)) {
    const delta = count - (then?.calls[code] ?? 0);
    if (delta > 0) sums.calls.set(code, (sums.calls.get(code) ?? 0) + delta);
  }
  sums.inFlight += now.inFlight;
  sums.replayed += now.replayed - (then?.replayed ?? 0);
  sums.dropped += now.dropped - (then?.dropped ?? 0);
  const delta = subtractSnapshots(now.durationMs, then?.durationMs ?? emptySnapshot(now.durationMs.boundaries));
  sums.durationMs = sums.durationMs === undefined ? delta : addSnapshots(sums.durationMs, delta);
}

function toInterval(procedure: string, sums: Sums, intervalMs: number): ProcedureInterval {
  let calls = 0;
  let errors = 0;
  const errorCodes: Array<[string, number]> = [];
  for (const [code, count] of sums.calls) {
    calls += count;
    if (code === 'OK') continue;
    errors += count;
    errorCodes.push([code, count]);
  }
  errorCodes.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const histogram = sums.durationMs;
  const hasCalls = histogram !== undefined && histogram.count > 0;
  return {
    procedure,
    transports: [...sums.transports].sort(),
    calls,
    callsPerSecond: (calls * 1000) / intervalMs,
    errors,
    errorRate: calls === 0 ? null : errors / calls,
    errorsByCode: Object.fromEntries(errorCodes),
    p50Ms: hasCalls ? quantileOf(histogram, 0.5) : null,
    p99Ms: hasCalls ? quantileOf(histogram, 0.99) : null,
    inFlight: sums.inFlight,
    replayed: sums.replayed,
    dropped: sums.dropped,
  };
}
