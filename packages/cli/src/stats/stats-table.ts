import { formatUptime } from '../format-uptime.js';
import type { IntervalStats, ProcedureInterval } from './interval-stats.js';

/** Longest procedure name shown whole; longer ones are cut with an ellipsis. */
const MAX_NAME_CHARS = 40;

/** Options for {@link renderStatsTable}. */
export interface StatsTableOptions {
  /** The server as the user named it, for the heading. */
  readonly target: string;
  /** Procedure rows to show at most (a terminal's height); the rest are counted in one line. */
  readonly maxRows?: number;
}

const HEADINGS = ['PROCEDURE', 'CALLS/S', 'ERRORS', 'P50', 'P99', 'IN FLIGHT'] as const;

/**
 * One interval as the lines of a table, busiest procedure first, then the total:
 *
 * ```
 * udp://127.0.0.1:4000 · serving · up 4m 12s · last 1.0 s
 *
 * PROCEDURE  CALLS/S  ERRORS             P50     P99  IN FLIGHT
 * echo.add    4210.0  0.0%              14µs   120µs          0
 * kv.get        12.0  8.3% NOT_FOUND  1.20ms  3.41ms          2
 * total       4222.0  0.0%              15µs   140µs          2
 * ```
 */
export function renderStatsTable(interval: IntervalStats, options: StatsTableOptions): string[] {
  const { worker } = interval;
  const heading = [
    options.target,
    interval.status,
    `up ${formatUptime(interval.uptimeMs)}`,
    ...(worker === undefined ? [] : [`worker ${worker.id} of ${worker.count}`]),
    `last ${(interval.intervalMs / 1000).toFixed(1)} s`,
    ...(interval.restarted ? ['restarted: counting from its start'] : []),
  ].join(' · ');
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  const shown = interval.procedures.slice(0, Math.max(0, maxRows));
  const rows = [...shown, interval.total].map(toCells);
  const widths = HEADINGS.map((title, i) =>
    Math.max(title.length, ...rows.map((cells) => (cells[i] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 || i === 2 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const hidden = interval.procedures.length - shown.length;
  return [
    heading,
    '',
    line(HEADINGS),
    ...(interval.procedures.length === 0 ? ['(no calls in this interval)'] : []),
    ...rows.slice(0, -1).map(line),
    ...(hidden > 0 ? [`… ${hidden} more procedure${hidden === 1 ? '' : 's'}`] : []),
    line(rows.at(-1) as string[]),
  ];
}

function toCells(row: ProcedureInterval): string[] {
  const name = row.procedure.length > MAX_NAME_CHARS ? `${row.procedure.slice(0, MAX_NAME_CHARS - 1)}…` : row.procedure;
  return [
    name,
    row.callsPerSecond.toFixed(1),
    formatErrors(row),
    formatMs(row.p50Ms),
    formatMs(row.p99Ms),
    String(row.inFlight),
  ];
}

/** `0.0%`, or the rate and the most frequent code: `8.3% NOT_FOUND`; `-` without calls. */
function formatErrors(row: ProcedureInterval): string {
  if (row.errorRate === null) return '-';
  const rate = `${(row.errorRate * 100).toFixed(1)}%`;
  const [top] = Object.keys(row.errorsByCode);
  return top === undefined ? rate : `${rate} ${top}`;
}

/** A latency with the unit that keeps it short: `14µs`, `1.20ms`, `35.2ms`, `2.50s`; `-` for none. */
export function formatMs(ms: number | null): string {
  if (ms === null || Number.isNaN(ms)) return '-';
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}
