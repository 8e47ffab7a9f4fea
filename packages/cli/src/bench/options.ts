import { positiveInt } from '../client-flags.js';
import type { CommandArgs, FlagTable } from '../commands/command.js';
import { UsageError } from '../usage-error.js';
import { DEFAULT_CONCURRENCY, DEFAULT_CONNECTIONS, DEFAULT_DURATION_MS } from './constants.js';

/** When a run stops starting calls: after a number of calls in total, or after a time. */
export type StopCondition = { readonly kind: 'calls'; readonly calls: number } | { readonly kind: 'duration'; readonly durationMs: number };

/** The bench-specific command line, validated. Connection flags are left to `clientFromFlags`. */
export interface BenchOptions {
  readonly target: string;
  readonly procedure: string;
  /** The input argument as given (json | @file | -), for `readInput`; undefined for no input. */
  readonly input: string | undefined;
  readonly concurrency: number;
  readonly connections: number;
  readonly stop: StopCondition;
  readonly json: boolean;
}

/** Flags of `volley bench` beyond the connection flags. */
export const BENCH_FLAGS = {
  concurrency: { type: 'string', short: 'c' },
  calls: { type: 'string', short: 'n' },
  duration: { type: 'string' },
  connections: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies FlagTable;

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/**
 * Parses `--duration`: seconds (`10`, `2.5`) or a number with a unit (`500ms`, `10s`, `1m`).
 * Returns milliseconds; throws UsageError for anything else or for zero.
 */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m)?$/.exec(text.trim());
  const unitMs = DURATION_UNITS_MS[match?.[2] ?? 's'];
  const ms = match?.[1] === undefined || unitMs === undefined ? Number.NaN : Number(match[1]) * unitMs;
  if (!(ms > 0) || !Number.isFinite(ms)) throw new UsageError(`--duration wants seconds (10, 2.5) or a number with ms, s or m (500ms, 1m), more than zero; got "${text}"`);
  return ms;
}

/** Validates the positionals and bench flags. Throws UsageError on the first mistake. */
export function parseBenchOptions(values: CommandArgs['values'], positionals: readonly string[]): BenchOptions {
  const [target, procedure, input, ...extra] = positionals;
  if (target === undefined || procedure === undefined) throw new UsageError('Needs <url> and <procedure>');
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}" (quote JSON input as one argument)`);
  const concurrency = positiveInt('concurrency', stringFlag(values, 'concurrency'), DEFAULT_CONCURRENCY);
  const connections = positiveInt('connections', stringFlag(values, 'connections'), DEFAULT_CONNECTIONS);
  if (connections > concurrency) throw new UsageError(`--connections (${connections}) cannot exceed --concurrency (${concurrency}): a connection without a worker sends nothing`);
  const calls = stringFlag(values, 'calls');
  const duration = stringFlag(values, 'duration');
  if (calls !== undefined && duration !== undefined) throw new UsageError('Give --duration or --calls, not both');
  const stop: StopCondition =
    calls !== undefined
      ? { kind: 'calls', calls: positiveInt('calls', calls, 0) }
      : { kind: 'duration', durationMs: duration === undefined ? DEFAULT_DURATION_MS : parseDuration(duration) };
  return { target, procedure, input, concurrency, connections, stop, json: values.json === true };
}

function stringFlag(values: CommandArgs['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
