import type { RunFigures } from './run-once.js';
import { describeScenario, type Scenario } from './scenarios.js';
import type { ScenarioResult, SystemSummary } from './summarize.js';
import type { SystemDefinition } from './systems/system.js';
import type { TargetOutcome } from './targets.js';

const MIB = 1024 * 1024;

/** Marks systems that cannot multiplex calls on one connection (HTTP/1.1 peers). */
const NO_MULTIPLEX_MARK = '†';

/** One scenario as a Markdown heading, table and footnotes (as pasted into docs/performance.md). */
export function formatScenario(
  result: ScenarioResult,
  systems: ReadonlyMap<string, SystemDefinition>,
  rounds: number,
): string {
  const header = [
    'system',
    'transport',
    'calls/s',
    '× base',
    'p50 ms',
    'p99 ms',
    'p99.9 ms',
    'server µs/call',
    '× base',
    'client µs/call',
    'server RSS MiB',
    'errors',
  ];
  const rows = result.systems.map((summary) => {
    const system = systems.get(summary.systemId);
    return [
      `${summary.systemId}${system?.multiplexes === false ? ` ${NO_MULTIPLEX_MARK}` : ''}`,
      system?.transport ?? '?',
      formatRate(summary.callsPerSecond),
      formatRatio(summary.ratio),
      formatFixed(summary.latencyMs.p50, 3),
      formatFixed(summary.latencyMs.p99, 3),
      formatFixed(summary.latencyMs.p999, 3),
      formatFixed(summary.serverCpuMicrosPerCall, 1),
      formatRatio(summary.serverCpuRatio),
      formatFixed(summary.clientCpuMicrosPerCall, 1),
      formatFixed(summary.serverRssBytes / MIB, 0),
      formatErrors(summary),
    ];
  });
  const notes = [
    `Medians of ${rounds} round${rounds === 1 ? '' : 's'}; × base is the ratio to the system's baseline (${describeBaselines(result.systems)}).`,
    'CPU is user + system time of the whole process from /proc over the run (warmup included) ÷ calls completed.',
  ];
  if (result.systems.some((summary) => systems.get(summary.systemId)?.multiplexes === false)) {
    notes.push(
      `${NO_MULTIPLEX_MARK} HTTP/1.1 carries one call per connection at a time: its client uses a keep-alive agent with up to 64 sockets instead of one connection.`,
    );
  }
  for (const summary of result.systems) {
    if (summary.resends > 0) notes.push(`${summary.systemId} resent ${summary.resends} requests after a loss.`);
    for (const failure of new Set(summary.failures)) notes.push(`${summary.systemId} failed: ${failure}`);
  }
  return `### ${result.scenario.id}: ${describeScenario(result.scenario)}\n\n${markdownTable(header, rows)}\n\n${notes.join('\n')}`;
}

/** The issue's targets with ✅/❌ (— when not run), the measured ratio and the system's own figure. */
export function formatTargets(outcomes: readonly TargetOutcome[]): string {
  const header = ['target', 'system', 'met', 'bound', 'measured', 'rounds', 'value'];
  const rows = outcomes.map(({ target, ratio, value, met, roundRatios }) => [
    target.label,
    target.systemId,
    met === undefined ? '— not run' : met ? '✅' : '❌',
    `${target.direction === 'atLeast' ? '≥' : '≤'} ${target.bound}× ${target.baselineId}`,
    ratio === undefined ? '—' : formatRatio(ratio),
    formatRange(roundRatios),
    value === undefined ? '—' : formatMetricValue(target.metric, value),
  ]);
  const note =
    'Measured is the ratio of the medians to the raw system on the same transport; rounds is the lowest and highest ratio of one round to the ' +
    'baseline round run next to it. A system with failed or wrong calls meets nothing.';
  return `### Targets (issue 6)\n\n${markdownTable(header, rows, 3)}\n\n${note}`;
}

/** One progress line for a finished run. */
export function formatRun(scenario: Scenario, round: number, systemId: string, figures: RunFigures): string {
  const prefix = `  ${scenario.id.padEnd(12)} #${round} ${systemId.padEnd(16)}`;
  if (figures.failure !== undefined) return `${prefix} FAILED: ${figures.failure}`;
  const { callsPerSecond, latencyMs, serverCpuMicrosPerCall, clientCpuMicrosPerCall } = figures;
  const faults =
    figures.errors + figures.wrongAnswers > 0 ? `  ERRORS ${figures.errors}, wrong ${figures.wrongAnswers}` : '';
  return (
    `${prefix} ${formatRate(callsPerSecond).padStart(9)} calls/s  p50 ${latencyMs.p50.toFixed(3)}  p99 ${latencyMs.p99.toFixed(3)} ms  ` +
    `cpu/call server ${serverCpuMicrosPerCall.toFixed(1)} µs, client ${clientCpuMicrosPerCall.toFixed(1)} µs${faults}`
  );
}

export function formatRate(callsPerSecond: number): string {
  return Number.isFinite(callsPerSecond) ? Math.round(callsPerSecond).toLocaleString('en-US') : '—';
}

/** `0.81–0.93×` over the rounds' ratios; one value when there was one round. */
function formatRange(ratios: readonly number[]): string {
  if (ratios.length === 0) return '—';
  const low = Math.min(...ratios);
  const high = Math.max(...ratios);
  return ratios.length === 1 ? formatRatio(low) : `${low.toFixed(2)}–${formatRatio(high)}`;
}

function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '—';
}

function formatFixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

function formatMetricValue(metric: TargetOutcome['target']['metric'], value: number): string {
  if (metric === 'callsPerSecond') return `${formatRate(value)} calls/s`;
  if (metric === 'p50') return `${formatFixed(value, 3)} ms`;
  return `${formatFixed(value, 1)} µs`;
}

function formatErrors(summary: SystemSummary): string {
  if (summary.failures.length === summary.rounds.length && summary.rounds.length > 0) return 'failed';
  const faults = summary.errors + summary.wrongAnswers;
  const failed = summary.failures.length > 0 ? ` (${summary.failures.length} failed)` : '';
  return `${faults}${summary.wrongAnswers > 0 ? ` (${summary.wrongAnswers} wrong)` : ''}${failed}`;
}

/** "raw-tcp for raw-tcp, volley-tcp; raw-udp for …", from the systems in the table. */
function describeBaselines(summaries: readonly SystemSummary[]): string {
  const groups = new Map<string, string[]>();
  for (const { systemId, baseline } of summaries) groups.set(baseline, [...(groups.get(baseline) ?? []), systemId]);
  return [...groups]
    .map(([baseline, ids]) => `${baseline} for ${ids.filter((id) => id !== baseline).join(', ') || 'itself'}`)
    .join('; ');
}

/** Left-aligns the first `textColumns` columns, right-aligns the numbers after them. */
function markdownTable(header: readonly string[], rows: readonly string[][], textColumns = 2): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column >= textColumns ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column >= textColumns ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
