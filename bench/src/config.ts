/** Bench settings, from environment variables (see bench/README.md). */
export interface BenchConfig {
  /** Measured seconds per run (BENCH_SECONDS, default 2). */
  seconds: number;
  /** Unrecorded warmup seconds before each run (BENCH_WARMUP_SECONDS, default 0.5). */
  warmupSeconds: number;
  /** Runs per implementation per cell; the median calls/s is reported (BENCH_REPEATS, default 3). */
  repeats: number;
  /** Calls in flight to try (BENCH_OUTSTANDING, default "1,64"). */
  outstanding: number[];
  /** Only cells whose id (`tcp add x64`) contains this text (BENCH_FILTER). */
  filter: string | undefined;
  /** Directory for a `--cpu-prof` profile of the Volley server child (BENCH_CPU_PROF). */
  cpuProfDir: string | undefined;
  /** Where to write the JSON results; empty string to skip (BENCH_JSON, default bench/results/latest.json). */
  jsonPath: string;
}

export function readConfig(env: NodeJS.ProcessEnv, defaultJsonPath: string): BenchConfig {
  return {
    seconds: positiveNumber(env.BENCH_SECONDS, 2, 'BENCH_SECONDS'),
    warmupSeconds: positiveNumber(env.BENCH_WARMUP_SECONDS, 0.5, 'BENCH_WARMUP_SECONDS', true),
    repeats: Math.round(positiveNumber(env.BENCH_REPEATS, 3, 'BENCH_REPEATS')),
    outstanding: (env.BENCH_OUTSTANDING ?? '1,64').split(',').map((part) => Math.round(positiveNumber(part.trim(), 1, 'BENCH_OUTSTANDING'))),
    filter: env.BENCH_FILTER || undefined,
    cpuProfDir: env.BENCH_CPU_PROF || undefined,
    jsonPath: env.BENCH_JSON ?? defaultJsonPath,
  };
}

function positiveNumber(text: string | undefined, fallback: number, name: string, zeroAllowed = false): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (!zeroAllowed && value === 0)) throw new Error(`${name} must be a positive number, got "${text}"`);
  return value;
}
