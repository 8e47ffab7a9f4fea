import { positiveInt } from '../client-flags.js';
import type { CommandArgs, FlagTable } from '../commands/command.js';
import { UsageError } from '../usage-error.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_CONNECTIONS,
  DEFAULT_DURATION_MS,
  DEFAULT_RATE_MAX_IN_FLIGHT_PER_CONNECTION,
  DEFAULT_WARMUP_MS,
} from './constants.js';

/** When a run stops starting calls: after a number of calls in total, or after a time. */
export type StopCondition =
  | { readonly kind: 'calls'; readonly calls: number }
  | { readonly kind: 'duration'; readonly durationMs: number };

/**
 * How calls are driven. Closed loop (the default, as ghz): `concurrency` workers, each starting its
 * next call when the last one finishes, so a slow server is sent less. Open loop (`--rate`, as
 * wrk2 and ghz --rps): calls start on a fixed schedule whatever the server does, at most
 * `maxInFlight` at a time.
 */
export type LoadMode =
  | { readonly kind: 'closed'; readonly concurrency: number }
  | { readonly kind: 'open'; readonly rate: number; readonly maxInFlight: number };

/** The bench-specific command line, validated. Connection flags are left to `clientFromFlags`. */
export interface BenchOptions {
  readonly target: string;
  readonly procedure: string;
  /** The input argument as given (json | @file | -), for `readInput`; undefined for no input. */
  readonly input: string | undefined;
  readonly mode: LoadMode;
  readonly connections: number;
  readonly stop: StopCondition;
  /** Load run before the measured one and not counted; 0 for none. */
  readonly warmupMs: number;
  readonly json: boolean;
}

/** Flags of `volley bench` beyond the connection flags. */
export const BENCH_FLAGS = {
  concurrency: { type: 'string', short: 'c' },
  calls: { type: 'string', short: 'n' },
  duration: { type: 'string' },
  connections: { type: 'string' },
  rate: { type: 'string' },
  warmup: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies FlagTable;

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/**
 * Parses a time flag (`--duration`, `--warmup`): seconds (`10`, `2.5`) or a number with a unit
 * (`500ms`, `10s`, `1m`). Returns milliseconds; throws UsageError, naming `flag`, for anything
 * else or for zero.
 */
export function parseDuration(text: string, flag = 'duration'): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m)?$/.exec(text.trim());
  const unitMs = DURATION_UNITS_MS[match?.[2] ?? 's'];
  const ms = match?.[1] === undefined || unitMs === undefined ? Number.NaN : Number(match[1]) * unitMs;
  if (!(ms > 0) || !Number.isFinite(ms))
    throw new UsageError(
      `--${flag} wants seconds (10, 2.5) or a number with ms, s or m (500ms, 1m), more than zero; got "${text}"`,
    );
  return ms;
}

/** Parses `--rate`: calls per second, a positive decimal (`200`, `0.5`); throws UsageError otherwise. */
export function parseRate(text: string): number {
  const rate = /^(\d+(\.\d*)?|\.\d+)$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(rate > 0) || !Number.isFinite(rate))
    throw new UsageError(`--rate must be a positive number of calls per second (200, 0.5), got "${text}"`);
  return rate;
}

/** Validates the positionals and bench flags. Throws UsageError on the first mistake. */
export function parseBenchOptions(values: CommandArgs['values'], positionals: readonly string[]): BenchOptions {
  const [target, procedure, input, ...extra] = positionals;
  if (target === undefined || procedure === undefined) throw new UsageError('Needs <url> and <procedure>');
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}" (quote JSON input as one argument)`);
  const connections = positiveInt('connections', stringFlag(values, 'connections'), DEFAULT_CONNECTIONS);
  const mode = parseMode(values, connections);
  const calls = stringFlag(values, 'calls');
  const duration = stringFlag(values, 'duration');
  if (calls !== undefined && duration !== undefined) throw new UsageError('Give --duration or --calls, not both');
  const stop: StopCondition =
    calls !== undefined
      ? { kind: 'calls', calls: positiveInt('calls', calls, 0) }
      : { kind: 'duration', durationMs: duration === undefined ? DEFAULT_DURATION_MS : parseDuration(duration) };
  const warmup = stringFlag(values, 'warmup');
  const warmupMs = warmup === undefined ? DEFAULT_WARMUP_MS : parseDuration(warmup, 'warmup');
  return { target, procedure, input, mode, connections, stop, warmupMs, json: values.json === true };
}

/** `--rate` picks the open loop, where `--concurrency` is the cap on calls in flight rather than the number of workers. */
function parseMode(values: CommandArgs['values'], connections: number): LoadMode {
  const concurrency = stringFlag(values, 'concurrency');
  const rate = stringFlag(values, 'rate');
  if (rate !== undefined) {
    // Open-loop calls go round-robin over the connections by call number, so any cap feeds every connection.
    return {
      kind: 'open',
      rate: parseRate(rate),
      maxInFlight: positiveInt('concurrency', concurrency, DEFAULT_RATE_MAX_IN_FLIGHT_PER_CONNECTION * connections),
    };
  }
  const workers = positiveInt('concurrency', concurrency, DEFAULT_CONCURRENCY);
  if (connections > workers)
    throw new UsageError(
      `--connections (${connections}) cannot exceed --concurrency (${workers}): a connection without a worker sends nothing`,
    );
  return { kind: 'closed', concurrency: workers };
}

function stringFlag(values: CommandArgs['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
