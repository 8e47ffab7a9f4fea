import type { RunFigures } from './run-once.js';
import type { Scenario } from './scenarios.js';
import { type LatencySummary, median } from './stats.js';
import type { SystemDefinition } from './systems/system.js';

/** One system's figures in one scenario, over its rounds. */
export interface SystemSummary {
  systemId: string;
  /** The limit system its ratios are to. */
  baseline: string;
  /** Median calls/s over the rounds that ran. */
  callsPerSecond: number;
  /** callsPerSecond ÷ the baseline's; NaN when the baseline did not run. */
  ratio: number;
  /** Median of each percentile over the rounds (not the percentile of one chosen round). */
  latencyMs: LatencySummary;
  /** Median server CPU µs per call, and its ratio to the baseline's. */
  serverCpuMicrosPerCall: number;
  serverCpuRatio: number;
  clientCpuMicrosPerCall: number;
  /** Median server RSS after a run, in bytes. */
  serverRssBytes: number;
  /** Totals over all rounds. */
  errors: number;
  wrongAnswers: number;
  resends: number;
  /** Why rounds failed, one entry per failed round. */
  failures: string[];
  /** Every round's figures, in round order. */
  rounds: RunFigures[];
}

/** A scenario's outcome: every system that ran it, in registry order, and the order each round ran in. */
export interface ScenarioResult {
  scenario: Scenario;
  systems: SystemSummary[];
  /** System ids in the order they ran, per round. */
  orders: string[][];
}

/** Reduces each system's rounds to medians and totals, and computes ratios to each system's baseline. */
export function summarizeScenario(
  scenario: Scenario,
  systems: readonly SystemDefinition[],
  runs: ReadonlyMap<string, readonly RunFigures[]>,
  orders: string[][],
): ScenarioResult {
  const partial = systems.map((system) => summarizeRounds(system, runs.get(system.id) ?? []));
  const byId = new Map(partial.map((summary) => [summary.systemId, summary]));
  for (const summary of partial) {
    const baseline = byId.get(summary.baseline);
    summary.ratio = summary.callsPerSecond / (baseline?.callsPerSecond ?? Number.NaN);
    summary.serverCpuRatio = summary.serverCpuMicrosPerCall / (baseline?.serverCpuMicrosPerCall ?? Number.NaN);
  }
  return { scenario, systems: partial, orders };
}

function summarizeRounds(system: SystemDefinition, rounds: readonly RunFigures[]): SystemSummary {
  const ran = rounds.filter((round) => round.failure === undefined);
  const mid = (pick: (round: RunFigures) => number): number => median(ran.map(pick));
  const total = (pick: (round: RunFigures) => number): number => rounds.reduce((sum, round) => sum + pick(round), 0);
  return {
    systemId: system.id,
    baseline: system.baseline,
    callsPerSecond: mid((round) => round.callsPerSecond),
    ratio: Number.NaN,
    latencyMs: {
      p50: mid((round) => round.latencyMs.p50),
      p99: mid((round) => round.latencyMs.p99),
      p999: mid((round) => round.latencyMs.p999),
    },
    serverCpuMicrosPerCall: mid((round) => round.serverCpuMicrosPerCall),
    serverCpuRatio: Number.NaN,
    clientCpuMicrosPerCall: mid((round) => round.clientCpuMicrosPerCall),
    serverRssBytes: mid((round) => round.serverRssBytes),
    errors: total((round) => round.errors),
    wrongAnswers: total((round) => round.wrongAnswers),
    resends: total((round) => round.resends),
    failures: rounds.flatMap((round) => (round.failure === undefined ? [] : [round.failure])),
    rounds: [...rounds],
  };
}
