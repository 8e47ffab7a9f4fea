import { parseArgs } from 'node:util';

/** Bench settings: command-line flags, with the older BENCH_* environment variables as aliases. */
export interface BenchConfig {
  /** Rounds per scenario; each round runs every system once and the median is reported. */
  rounds: number;
  /** Measured seconds per run. */
  seconds: number;
  /** Unrecorded warmup seconds before each run. */
  warmupSeconds: number;
  /** Calls in flight, one scenario per payload and value. */
  outstanding: number[];
  /** System ids to run (their baselines are added); all when undefined. */
  systems: string[] | undefined;
  /** Scenario filters: a scenario runs when its id contains any of them; all when undefined. */
  scenarios: string[] | undefined;
  /** Where to write the JSON results; empty to skip. */
  jsonPath: string;
  /** Directory for `--cpu-prof` profiles of the Volley and raw server and client children. */
  cpuProfDir: string | undefined;
  /** Run the scale suite after the scenario tables. */
  scale: boolean;
  help: boolean;
}

/** Measured seconds per run unless told otherwise. */
export const DEFAULT_SECONDS = 2;

/** Flag → environment variables read when the flag is absent, first set wins. */
const ENV_ALIASES = {
  rounds: ['BENCH_ROUNDS', 'BENCH_REPEATS'],
  seconds: ['BENCH_SECONDS'],
  warmup: ['BENCH_WARMUP_SECONDS'],
  outstanding: ['BENCH_OUTSTANDING'],
  systems: ['BENCH_SYSTEMS'],
  // BENCH_FILTER used to name a cell such as `tcp add x64`; now transports are systems, so it
  // filters scenarios only (`add-x64`), and `--systems` picks the transports.
  scenarios: ['BENCH_SCENARIOS', 'BENCH_FILTER'],
  json: ['BENCH_JSON'],
  'cpu-prof': ['BENCH_CPU_PROF'],
} as const;

export const USAGE = `usage: npm run bench -- [flags]
  --rounds N          rounds per scenario, median reported (default 3)      BENCH_ROUNDS, BENCH_REPEATS
  --seconds S         measured seconds per run (default 2)                  BENCH_SECONDS
  --warmup S          discarded warmup seconds per run (default 0.5)        BENCH_WARMUP_SECONDS
  --outstanding 1,64  calls in flight, one scenario per value (default 1,64) BENCH_OUTSTANDING
  --systems a,b       system ids to run; their baselines are added          BENCH_SYSTEMS
  --scenarios a,b     scenarios whose id contains any of these (add-x64)    BENCH_SCENARIOS, BENCH_FILTER
  --json PATH         results file (default bench/results/latest.json; '' skips) BENCH_JSON
  --cpu-prof DIR      --cpu-prof Volley and raw servers and clients into DIR/<system>[-client]  BENCH_CPU_PROF
  --no-scale          skip the scale suite                                  BENCH_NO_SCALE=1
  --help`;

/** Reads flags (`args`, as after `npm run bench --`) and falls back to `env`, then to defaults. */
export function readConfig(args: readonly string[], env: NodeJS.ProcessEnv, defaultJsonPath: string): BenchConfig {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      outstanding: { type: 'string' },
      systems: { type: 'string' },
      scenarios: { type: 'string' },
      json: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'no-scale': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const read = (name: keyof typeof ENV_ALIASES): string | undefined =>
    values[name] ?? ENV_ALIASES[name].map((key) => env[key]).find((value) => value !== undefined);
  return {
    rounds: Math.round(toNumber(read('rounds'), 3, '--rounds')),
    seconds: toNumber(read('seconds'), DEFAULT_SECONDS, '--seconds'),
    warmupSeconds: toNumber(read('warmup'), 0.5, '--warmup', true),
    outstanding: toList(read('outstanding') ?? '1,64').map((part) => Math.round(toNumber(part, 1, '--outstanding'))),
    systems: optionalList(read('systems')),
    scenarios: optionalList(read('scenarios')),
    jsonPath: read('json') ?? defaultJsonPath,
    cpuProfDir: read('cpu-prof') || undefined,
    scale: !(
      values['no-scale'] ??
      (env.BENCH_NO_SCALE !== undefined && env.BENCH_NO_SCALE !== '' && env.BENCH_NO_SCALE !== '0')
    ),
    help: values.help ?? false,
  };
}

function toNumber(text: string | undefined, fallback: number, name: string, zeroAllowed = false): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (!zeroAllowed && value === 0))
    throw new Error(`${name} must be a positive number, got "${text}"`);
  return value;
}

function toList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function optionalList(text: string | undefined): string[] | undefined {
  const list = text === undefined ? [] : toList(text);
  return list.length === 0 ? undefined : list;
}
