import type { Implementation, Scenario } from './scenarios.js';
import type { LatencySummary } from './stats.js';

/** What one closed-loop run of one implementation measured. */
export interface RunResult {
  callsPerSecond: number;
  latencyMs: LatencySummary;
  /** Server child CPU (user + system, all threads) over the run, divided by calls completed. */
  serverCpuMicrosPerCall: number;
  /** The same for the client (this process, harness included). */
  clientCpuMicrosPerCall: number;
  /** Retransmissions (Volley) or timeout resends (raw); UDP only. */
  resends: number;
}

/** The reported figures of one implementation in one cell, over its repeats. */
export interface ImplementationResult {
  /** Median calls/s over the repeats. */
  callsPerSecond: number;
  /** Every run's calls/s, in run order, to show the spread. */
  runs: number[];
  /** Latency of the median run. */
  latencyMs: LatencySummary;
  /** Median server CPU µs per call. */
  serverCpuMicrosPerCall: number;
  /** Median client CPU µs per call. */
  clientCpuMicrosPerCall: number;
  /** Retransmissions (Volley) or timeout resends (raw) over all runs; UDP only. */
  resends: number;
}

/** One cell's outcome: both implementations and Volley's ratio to raw. */
export interface CellResult {
  scenario: Scenario;
  results: Record<Implementation, ImplementationResult>;
  ratio: number;
}

/** Renders throughput and latency as a Markdown table, one row per cell (as pasted into docs/performance.md). */
export function formatTable(cells: readonly CellResult[]): string {
  const header = ['transport', 'payload', 'outstanding', 'raw calls/s', 'volley calls/s', 'ratio', 'raw p50 / p99 ms', 'volley p50 / p99 ms'];
  const rows = cells.map(({ scenario, results, ratio }) => [
    scenario.transport,
    scenario.payload.label,
    String(scenario.outstanding),
    formatRate(results.raw.callsPerSecond),
    formatRate(results.volley.callsPerSecond),
    `${ratio.toFixed(2)}×`,
    formatLatency(results.raw.latencyMs),
    formatLatency(results.volley.latencyMs),
  ]);
  return markdownTable(header, rows);
}

/** Renders CPU time per call, server and client, raw beside Volley, as a Markdown table. */
export function formatCpuTable(cells: readonly CellResult[]): string {
  const header = ['transport', 'payload', 'outstanding', 'server µs/call raw', 'volley', '×', 'client µs/call raw', 'volley', '×'];
  const rows = cells.map(({ scenario, results: { raw, volley } }) => [
    scenario.transport,
    scenario.payload.label,
    String(scenario.outstanding),
    raw.serverCpuMicrosPerCall.toFixed(1),
    volley.serverCpuMicrosPerCall.toFixed(1),
    `${(volley.serverCpuMicrosPerCall / raw.serverCpuMicrosPerCall).toFixed(1)}×`,
    raw.clientCpuMicrosPerCall.toFixed(1),
    volley.clientCpuMicrosPerCall.toFixed(1),
    `${(volley.clientCpuMicrosPerCall / raw.clientCpuMicrosPerCall).toFixed(1)}×`,
  ]);
  return markdownTable(header, rows);
}

/** Left-aligns the first two columns, right-aligns the numbers. */
function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column >= 2 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column >= 2 ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** One progress line for a finished run. */
export function formatRun(scenario: Scenario, implementation: Implementation, run: number, result: RunResult): string {
  const { callsPerSecond, latencyMs, serverCpuMicrosPerCall, clientCpuMicrosPerCall } = result;
  return (
    `  ${scenario.id.padEnd(18)} ${implementation.padEnd(6)} #${run}  ${formatRate(callsPerSecond).padStart(9)} calls/s  ` +
    `p50 ${latencyMs.p50.toFixed(3)} ms  p99 ${latencyMs.p99.toFixed(3)} ms  cpu/call server ${serverCpuMicrosPerCall.toFixed(1)} µs, client ${clientCpuMicrosPerCall.toFixed(1)} µs`
  );
}

export function formatRate(callsPerSecond: number): string {
  return Math.round(callsPerSecond).toLocaleString('en-US');
}

function formatLatency({ p50, p99 }: LatencySummary): string {
  return `${p50.toFixed(3)} / ${p99.toFixed(3)}`;
}
