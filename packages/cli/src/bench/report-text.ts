import { HISTOGRAM_BAR_WIDTH } from './constants.js';
import type { LatencySummary } from './latency.js';
import type { BenchReport } from './report.js';

const PERCENTILE_LINES: ReadonlyArray<readonly [label: string, key: keyof LatencySummary]> = [
  ['min', 'min'],
  ['mean', 'mean'],
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p99.9', 'p999'],
  ['max', 'max'],
];

/**
 * The report for a person, after ghz: a summary, errors by code, latency percentiles and a
 * histogram whose bars are scaled to the largest bucket.
 */
export function formatBenchText(report: BenchReport): string {
  const failed = report.calls - report.ok;
  const { rate, warmup } = report;
  const lines = [
    'Summary:',
    field('Target', report.target),
    field('Procedure', report.procedure),
    field('Transport', report.transport),
    field('Mode', formatMode(report)),
    field('Connections', `${report.connections}`),
    ...(warmup === null
      ? []
      : [field('Warm-up', `${formatDuration(warmup.durationMs)}, ${warmup.calls} calls (not counted)`)]),
    field('Duration', formatDuration(report.durationMs)),
    field('Calls', `${report.calls}`),
    field('Calls/s', report.callsPerSecond.toFixed(1)),
    ...(rate === null
      ? []
      : [
          field('Rate', `${rate.target} calls/s target, ${rate.achieved.toFixed(1)} achieved`),
          field('Late starts', `${rate.lateCalls} (more than ${rate.lateAfterMs} ms after their intended time)`),
        ]),
    field('OK', `${report.ok}`),
    field('Errors', `${failed}`),
  ];
  const codes = Object.entries(report.errors);
  if (codes.length > 0) {
    const codeWidth = Math.max(...codes.map(([code]) => code.length));
    const countWidth = Math.max(...codes.map(([, group]) => `${group.count}`.length));
    lines.push(
      '',
      'Errors by code:',
      ...codes.map(
        ([code, group]) => `  ${code.padEnd(codeWidth)}  ${`${group.count}`.padStart(countWidth)}  ${group.sample}`,
      ),
    );
  }
  const latency = report.latencyMs;
  if (latency !== null) {
    lines.push(
      '',
      'Latency (ms):',
      ...PERCENTILE_LINES.map(([label, key]) => `  ${label.padEnd(6)} ${formatMs(latency[key])}`),
    );
    lines.push('', 'Latency histogram (ms):', ...formatHistogram(report.histogram));
  }
  return lines.join('\n');
}

function formatMode(report: BenchReport): string {
  if (report.rate === null) return `closed loop, ${report.concurrency} workers`;
  return `open loop, at most ${report.concurrency} calls in flight`;
}

/**
 * One line per bucket, its upper bound aligned on the decimal point (the 1-2-5 bounds print as
 * written: 0.05, 0.1, 1, 20): `   0.5 [  1234] |████…`. Bars are scaled to the largest bucket; a
 * non-empty bucket shows at least one block, so a tail of a few calls stays visible.
 */
function formatHistogram(buckets: BenchReport['histogram']): string[] {
  const largest = Math.max(1, ...buckets.map((b) => b.count));
  const bounds = alignDecimals(buckets.map((b) => `${b.upToMs}`));
  const countWidth = Math.max(...buckets.map((b) => `${b.count}`.length));
  return buckets.map((bucket, i) => {
    const length = bucket.count === 0 ? 0 : Math.max(1, Math.round((bucket.count / largest) * HISTOGRAM_BAR_WIDTH));
    return `  ${bounds[i]} [${`${bucket.count}`.padStart(countWidth)}] |${'█'.repeat(length)}`;
  });
}

/** Pads decimal numbers to one width with their points in one column: `['0.05', '1', '20']` → `[' 0.05', ' 1   ', '20   ']`. */
function alignDecimals(numbers: readonly string[]): string[] {
  const parts = numbers.map((n) => {
    const point = n.indexOf('.');
    return point === -1 ? { whole: n, fraction: '' } : { whole: n.slice(0, point), fraction: n.slice(point) };
  });
  const wholeWidth = Math.max(...parts.map((p) => p.whole.length));
  const fractionWidth = Math.max(...parts.map((p) => p.fraction.length));
  return parts.map((p) => p.whole.padStart(wholeWidth) + p.fraction.padEnd(fractionWidth));
}

function field(label: string, value: string): string {
  return `  ${`${label}:`.padEnd(14)}${value}`;
}

/** Four significant digits or so: 0.0412, 0.412, 4.123, 41.23, 412.3, 4123. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return ms.toFixed(0);
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 10) return ms.toFixed(2);
  return ms >= 0.1 || ms === 0 ? ms.toFixed(3) : ms.toFixed(4);
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
