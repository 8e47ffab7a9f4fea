import type { RunFigures } from './run-once.js';
import type { ScenarioResult, SystemSummary } from './summarize.js';

/** Which figure a target bounds, as a ratio of the system's to its baseline's. */
export type TargetMetric = 'callsPerSecond' | 'serverCpuMicrosPerCall' | 'p50';

/** One of the issue's performance targets. */
export interface PerformanceTarget {
  /** What it says, as a table row. */
  readonly label: string;
  readonly systemId: string;
  /** The raw system the issue measures it against. */
  readonly baselineId: 'raw-tcp' | 'raw-udp';
  readonly scenarioId: string;
  readonly metric: TargetMetric;
  /** `atLeast`: ratio ≥ bound (throughput); `atMost`: ratio ≤ bound (CPU, latency). */
  readonly direction: 'atLeast' | 'atMost';
  readonly bound: number;
}

/** The targets of issue 6 ("Benchmark"), each a ratio to the matching raw system. */
export const ISSUE_TARGETS: readonly PerformanceTarget[] = [
  {
    label: 'TCP add ×64 calls/s',
    systemId: 'volley-tcp',
    baselineId: 'raw-tcp',
    scenarioId: 'add-x64',
    metric: 'callsPerSecond',
    direction: 'atLeast',
    bound: 0.8,
  },
  {
    label: 'TCP add ×64 server CPU/call',
    systemId: 'volley-tcp',
    baselineId: 'raw-tcp',
    scenarioId: 'add-x64',
    metric: 'serverCpuMicrosPerCall',
    direction: 'atMost',
    bound: 1.5,
  },
  {
    label: 'UDP add ×64 calls/s, idempotent',
    systemId: 'volley-udp',
    baselineId: 'raw-udp',
    scenarioId: 'add-x64',
    metric: 'callsPerSecond',
    direction: 'atLeast',
    bound: 0.8,
  },
  {
    label: 'UDP add ×64 calls/s, non-idempotent',
    systemId: 'volley-udp-once',
    baselineId: 'raw-udp',
    scenarioId: 'add-x64',
    metric: 'callsPerSecond',
    direction: 'atLeast',
    bound: 0.65,
  },
  {
    label: 'TCP add ×1 p50 latency',
    systemId: 'volley-tcp',
    baselineId: 'raw-tcp',
    scenarioId: 'add-x1',
    metric: 'p50',
    direction: 'atMost',
    bound: 1.15,
  },
  {
    label: 'UDP add ×1 p50 latency',
    systemId: 'volley-udp',
    baselineId: 'raw-udp',
    scenarioId: 'add-x1',
    metric: 'p50',
    direction: 'atMost',
    bound: 1.15,
  },
  {
    label: 'TCP 4 KiB echo ×64 calls/s',
    systemId: 'volley-tcp',
    baselineId: 'raw-tcp',
    scenarioId: 'echo-4k-x64',
    metric: 'callsPerSecond',
    direction: 'atLeast',
    bound: 0.8,
  },
  {
    label: 'UDP 4 KiB echo ×64 calls/s',
    systemId: 'volley-udp',
    baselineId: 'raw-udp',
    scenarioId: 'echo-4k-x64',
    metric: 'callsPerSecond',
    direction: 'atLeast',
    bound: 0.8,
  },
];

/** A target against a run: the measured ratio and whether it is met; both undefined when not run. */
export interface TargetOutcome {
  target: PerformanceTarget;
  ratio: number | undefined;
  /** The system's own figure (calls/s, µs/call or ms), for the table. */
  value: number | undefined;
  met: boolean | undefined;
  /**
   * The ratio in each round that both systems ran, in round order: round *i* of the system
   * against round *i* of its baseline, which ran next to it. Their spread says how near the
   * bound a cell is from run to run on a noisy machine.
   */
  roundRatios: number[];
}

/** Evaluates every target against the scenario results; a target whose system, baseline or scenario did not run is left open. */
export function evaluateTargets(
  targets: readonly PerformanceTarget[],
  results: readonly ScenarioResult[],
): TargetOutcome[] {
  return targets.map((target) => {
    const systems = results.find((result) => result.scenario.id === target.scenarioId)?.systems ?? [];
    const system = systems.find((summary) => summary.systemId === target.systemId);
    const baseline = systems.find((summary) => summary.systemId === target.baselineId);
    if (system === undefined || baseline === undefined)
      return { target, ratio: undefined, value: undefined, met: undefined, roundRatios: [] };
    const value = metricOf(system, target.metric);
    const ratio = value / metricOf(baseline, target.metric);
    const roundRatios = perRoundRatios(system.rounds, baseline.rounds, target.metric);
    if (!Number.isFinite(ratio)) return { target, ratio: undefined, value, met: undefined, roundRatios };
    const withinBound = target.direction === 'atLeast' ? ratio >= target.bound : ratio <= target.bound;
    // A fast system that answered wrongly (or failed calls) has not met anything.
    const clean = system.errors === 0 && system.wrongAnswers === 0;
    return { target, ratio, value, met: withinBound && clean, roundRatios };
  });
}

function perRoundRatios(
  rounds: readonly RunFigures[],
  baselineRounds: readonly RunFigures[],
  metric: TargetMetric,
): number[] {
  const ratios: number[] = [];
  rounds.forEach((round, i) => {
    const baseline = baselineRounds[i];
    if (round.failure !== undefined || baseline === undefined || baseline.failure !== undefined) return;
    const ratio = metricOf(round, metric) / metricOf(baseline, metric);
    if (Number.isFinite(ratio)) ratios.push(ratio);
  });
  return ratios;
}

function metricOf(figures: SystemSummary | RunFigures, metric: TargetMetric): number {
  return metric === 'p50' ? figures.latencyMs.p50 : figures[metric];
}
