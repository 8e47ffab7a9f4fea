/**
 * `npm run bench`: every system (the raw limit, Volley, the peers) as a server child and a client
 * child per run, closed loop, interleaved rounds, figures from the clients and from /proc.
 * Flags, method and what each figure means: bench/README.md; figures: docs/performance.md.
 */
import { fileURLToPath } from 'node:url';
import { type BenchConfig, DEFAULT_SECONDS, readConfig, USAGE } from './config.js';
import { readClockTicksPerSecond } from './proc-stats.js';
import { formatRate, formatRun, formatScenario, formatTargets } from './report.js';
import { describeMachine, describeSystem, writeResultsJson } from './results-json.js';
import { type RunFigures, type RunTiming, runOnce } from './run-once.js';
import { formatScaleMarkdown, runScaleSuite, type ScaleResults } from './scale/run-scale.js';
import type { Scenario } from './scenarios.js';
import { roundOrder, selectScenarios, selectSystems, systemsFor } from './selection.js';
import { type ServerProcess, spawnServer } from './spawn-server.js';
import { type ScenarioResult, summarizeScenario } from './summarize.js';
import { ALL_SYSTEMS } from './systems/registry.js';
import type { SystemDefinition } from './systems/system.js';
import { evaluateTargets, ISSUE_TARGETS } from './targets.js';

/** Rough cost of forking a client child through tsx and connecting it, for the time estimate. */
const CLIENT_START_SECONDS = 0.7;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const { config, systems, scenarios } = readSettings();
const machine = describeMachine(readClockTicksPerSecond());
const timing: RunTiming = {
  warmupMs: config.warmupSeconds * 1000,
  durationMs: config.seconds * 1000,
  ticksPerSecond: machine.clockTicksPerSecond,
};
const runCount = scenarios.reduce((total, scenario) => total + systemsFor(scenario, systems).length, 0) * config.rounds;
log(
  `volley bench: node ${machine.node}, ${machine.cores} cpus (${machine.cpuModel}), load ${machine.loadAverageAtStart.map((load) => load.toFixed(2)).join(' ')}\n` +
    `  systems ${systems.map((system) => system.id).join(', ')}\n  scenarios ${scenarios.map((scenario) => scenario.id).join(', ')}\n` +
    `  ${runCount} runs of ${config.warmupSeconds}+${config.seconds} s ≈ ${Math.ceil(runCount * (config.warmupSeconds + config.seconds + CLIENT_START_SECONDS))} s`,
);

const servers = new Map<string, ServerProcess>();
try {
  await startServers(systems);
  const running = systems.filter((system) => servers.has(system.id));
  const results: ScenarioResult[] = [];
  for (const [index, scenario] of scenarios.entries())
    results.push(await runScenario(scenario, systemsFor(scenario, running), index));

  const byId = new Map(systems.map((system) => [system.id, system]));
  const targets = evaluateTargets(ISSUE_TARGETS, results);
  for (const result of results) process.stdout.write(`\n${formatScenario(result, byId, config.rounds)}\n`);
  process.stdout.write(`\n${formatTargets(targets)}\n`);
  // The scenario servers are no longer needed; stop them so the scale suite has the cores to itself.
  await stopServers();
  let scale: ScaleResults | undefined;
  if (config.scale) {
    // A short run (--seconds below the default) asks the scale suite for its quick mode too.
    scale = await runScaleSuite(log, { quick: config.seconds < DEFAULT_SECONDS });
    process.stdout.write(`\n${formatScaleMarkdown(scale)}\n`);
  }
  if (config.jsonPath !== '') {
    const body = {
      date: new Date().toISOString(),
      machine,
      config,
      systems: systems.map(describeSystem),
      scenarios: results,
      targets,
    };
    writeResultsJson(config.jsonPath, scale === undefined ? body : { ...body, scale });
    log(`results written to ${config.jsonPath}`);
  }
} finally {
  await stopServers();
}

async function stopServers(): Promise<void> {
  const stopping = [...servers.values()].map((server) => server.stop());
  servers.clear();
  await Promise.allSettled(stopping);
}

/** Flags and selections, or usage and exit: a typo in a flag gets one line, not a stack trace. */
function readSettings(): { config: BenchConfig; systems: SystemDefinition[]; scenarios: Scenario[] } {
  try {
    const config = readConfig(
      process.argv.slice(2),
      process.env,
      fileURLToPath(new URL('../results/latest.json', import.meta.url)),
    );
    if (config.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    return { config, systems: selectSystems(ALL_SYSTEMS, config.systems), scenarios: selectScenarios(config) };
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

/**
 * Starts every server child once, one after another (so tsx compiles each without contention).
 * A peer that fails to start is left out with a message; a limit or Volley system failing is fatal.
 */
async function startServers(list: readonly SystemDefinition[]): Promise<void> {
  for (const system of list) {
    const profile = config.cpuProfDir !== undefined && system.group !== 'peer';
    const nodeFlags = profile ? ['--cpu-prof', `--cpu-prof-dir=${config.cpuProfDir}/${system.id}`] : [];
    try {
      servers.set(system.id, await spawnServer(system, { nodeFlags }));
    } catch (error) {
      if (system.group !== 'peer') throw error;
      log(`  ${system.id}: server did not start, left out (${error instanceof Error ? error.message : String(error)})`);
    }
  }
}

/** Runs `rounds` rounds of a scenario, each system once per round, in an order rotated every round. */
async function runScenario(
  scenario: Scenario,
  list: readonly SystemDefinition[],
  index: number,
): Promise<ScenarioResult> {
  log(`${scenario.id}:`);
  const runs = new Map<string, RunFigures[]>(list.map((system) => [system.id, []]));
  const orders: string[][] = [];
  for (let round = 1; round <= config.rounds; round++) {
    const order = roundOrder(list, index + round - 1);
    orders.push(order.map((system) => system.id));
    for (const system of order) {
      const server = servers.get(system.id);
      if (server === undefined) continue;
      // With --cpu-prof, Volley and raw clients are profiled too, one profile per run in DIR/<system>-client.
      const clientFlags =
        config.cpuProfDir !== undefined && system.group !== 'peer'
          ? ['--cpu-prof', `--cpu-prof-dir=${config.cpuProfDir}/${system.id}-client`]
          : [];
      const figures = await runOnce(server, scenario, timing, clientFlags);
      runs.get(system.id)?.push(figures);
      log(formatRun(scenario, round, system.id, figures));
    }
  }
  const result = summarizeScenario(scenario, list, runs, orders);
  log(
    `  ${scenario.id} medians: ${result.systems.map((summary) => `${summary.systemId} ${formatRate(summary.callsPerSecond)}`).join(', ')}`,
  );
  return result;
}
