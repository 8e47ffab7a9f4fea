/**
 * `npm run bench`: Volley over TCP and UDP beside raw `node:net` / `node:dgram` msgpack echo
 * servers, servers in child processes, closed loop at 1 and 64 calls outstanding.
 * Knobs and method: bench/README.md; figures: docs/performance.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runClosedLoop } from './closed-loop.js';
import { readConfig } from './config.js';
import { type CellResult, formatCpuTable, formatRate, formatRun, formatTable, type ImplementationResult, type RunResult } from './report.js';
import { type Implementation, listScenarios, type Scenario, type TransportName } from './scenarios.js';
import { type ServerProcess, spawnServer } from './spawn-server.js';
import { median, medianIndex, summarizeLatency } from './stats.js';
import { connectRawTarget, connectVolleyTarget, type Target } from './targets.js';

const IMPLEMENTATIONS: readonly Implementation[] = ['raw', 'volley'];
const config = readConfig(process.env, fileURLToPath(new URL('../results/latest.json', import.meta.url)));
const scenarios = listScenarios(config.outstanding).filter((scenario) => config.filter === undefined || scenario.id.includes(config.filter));
const perRunSeconds = config.seconds + config.warmupSeconds;
const log = (line: string) => process.stderr.write(`${line}\n`);

log(
  `volley bench: node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model ?? 'unknown'}); ` +
    `${scenarios.length} cells × ${IMPLEMENTATIONS.length} × ${config.repeats} runs of ${config.warmupSeconds}+${config.seconds} s ` +
    `≈ ${Math.ceil(scenarios.length * IMPLEMENTATIONS.length * config.repeats * perRunSeconds)} s`,
);

const started: ServerProcess[] = [];
const connected = new Map<string, Target>();
const cells: CellResult[] = [];
try {
  const raw = await spawnServer('raw');
  started.push(raw);
  const volley = await spawnServer('volley', config.cpuProfDir ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${config.cpuProfDir}`] } : {});
  started.push(volley);
  const servers: Record<Implementation, ServerProcess> = { raw, volley };

  for (const scenario of scenarios) cells.push(await runCell(scenario, servers));

  process.stdout.write(`\n${formatTable(cells)}\n\n`);
  process.stdout.write(`ratio = Volley calls/s ÷ raw calls/s, median of ${config.repeats} runs of ${config.seconds} s each; latency from the median run.\n\n`);
  process.stdout.write(`${formatCpuTable(cells)}\n\n`);
  process.stdout.write('CPU time per call (user + system, all threads, medians), server child and client process apart.\n');
  for (const cell of cells.filter((each) => each.results.raw.resends > 0 || each.results.volley.resends > 0)) {
    process.stdout.write(`UDP loss in ${cell.scenario.id}: raw resent ${cell.results.raw.resends}, Volley retransmitted ${cell.results.volley.resends}\n`);
  }
  if (config.jsonPath !== '') writeJson(config.jsonPath, cells);
} finally {
  await Promise.allSettled([...connected.values()].map((target) => target.close()));
  await Promise.allSettled(started.map((server) => server.stop()));
}

/** The client for an implementation and transport, connected once and reused by every cell. */
async function targetFor(implementation: Implementation, transport: TransportName, server: ServerProcess): Promise<Target> {
  const key = `${implementation} ${transport}`;
  let target = connected.get(key);
  if (target === undefined) {
    target = implementation === 'raw' ? await connectRawTarget(transport, server.ports) : await connectVolleyTarget(transport, server.ports);
    connected.set(key, target);
  }
  return target;
}

/** One closed-loop run, with the CPU both processes spent on it. */
async function runOnce(scenario: Scenario, target: Target, server: ServerProcess): Promise<RunResult> {
  const resendsBefore = target.resends();
  const serverCpuBefore = await server.cpuMicros();
  const clientCpuBefore = process.cpuUsage();
  const result = await runClosedLoop(target.caller(scenario.payload), {
    outstanding: scenario.outstanding,
    warmupMs: config.warmupSeconds * 1000,
    durationMs: config.seconds * 1000,
  });
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const serverCpu = (await server.cpuMicros()) - serverCpuBefore;
  return {
    callsPerSecond: result.callsPerSecond,
    latencyMs: summarizeLatency(result.latenciesMs),
    serverCpuMicrosPerCall: serverCpu / result.totalCalls,
    clientCpuMicrosPerCall: (clientCpu.user + clientCpu.system) / result.totalCalls,
    resends: target.resends() - resendsBefore,
  };
}

/**
 * Runs one cell: raw and Volley alternately, `repeats` times each, swapping which goes first
 * every repeat (raw, volley, volley, raw, …) so drift on a shared machine hits both alike.
 */
async function runCell(scenario: Scenario, servers: Record<Implementation, ServerProcess>): Promise<CellResult> {
  const runs: Record<Implementation, RunResult[]> = { raw: [], volley: [] };
  for (let run = 1; run <= config.repeats; run++) {
    const order = run % 2 === 1 ? IMPLEMENTATIONS : [...IMPLEMENTATIONS].reverse();
    for (const implementation of order) {
      const target = await targetFor(implementation, scenario.transport, servers[implementation]);
      const result = await runOnce(scenario, target, servers[implementation]);
      runs[implementation].push(result);
      log(formatRun(scenario, implementation, run, result));
    }
  }
  const summarize = (implementation: Implementation): ImplementationResult => {
    const list = runs[implementation];
    const rates = list.map((entry) => entry.callsPerSecond);
    const middle = list[medianIndex(rates)];
    if (middle === undefined) throw new Error('no runs');
    return {
      callsPerSecond: middle.callsPerSecond,
      runs: rates,
      latencyMs: middle.latencyMs,
      serverCpuMicrosPerCall: median(list.map((entry) => entry.serverCpuMicrosPerCall)),
      clientCpuMicrosPerCall: median(list.map((entry) => entry.clientCpuMicrosPerCall)),
      resends: list.reduce((total, entry) => total + entry.resends, 0),
    };
  };
  const results = { raw: summarize('raw'), volley: summarize('volley') };
  const ratio = results.volley.callsPerSecond / results.raw.callsPerSecond;
  log(`${scenario.id}: raw ${formatRate(results.raw.callsPerSecond)}, volley ${formatRate(results.volley.callsPerSecond)} calls/s, ratio ${ratio.toFixed(2)}`);
  return { scenario, results, ratio };
}

function writeJson(path: string, results: readonly CellResult[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const body = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    config,
    cells: results.map(({ scenario, results: byImplementation, ratio }) => ({
      transport: scenario.transport,
      payload: scenario.payload.name,
      outstanding: scenario.outstanding,
      ratio,
      ...byImplementation,
    })),
  };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
  log(`results written to ${path}`);
}
