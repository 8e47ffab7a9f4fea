import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { BenchConfig } from './config.js';
import type { ScenarioResult } from './summarize.js';
import type { SystemDefinition } from './systems/system.js';
import type { TargetOutcome } from './targets.js';

/** Where and on what the figures were taken: without it a number cannot be compared with another. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  node: string;
  /** os.release(): the kernel version. */
  kernel: string;
  /** 1, 5 and 15-minute load averages at the start: how busy the shared machine already was. */
  loadAverageAtStart: number[];
  clockTicksPerSecond: number;
}

/** Everything one bench run produced, as written to bench/results/latest.json. */
export interface BenchResults {
  date: string;
  machine: MachineInfo;
  config: BenchConfig;
  systems: readonly Omit<SystemDefinition, 'serverModule' | 'clientModule'>[];
  scenarios: readonly ScenarioResult[];
  targets: readonly TargetOutcome[];
  /** The scale suite's results, when it ran. */
  scale?: unknown;
}

/** The machine this process runs on. */
export function describeMachine(clockTicksPerSecond: number): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    node: process.version,
    kernel: release(),
    loadAverageAtStart: loadavg(),
    clockTicksPerSecond,
  };
}

/** The JSON-safe view of a system definition (module URLs are local paths, of no use elsewhere). */
export function describeSystem({
  serverModule: _server,
  clientModule: _client,
  ...rest
}: SystemDefinition): BenchResults['systems'][number] {
  return rest;
}

/** Writes the results as indented JSON (NaN, for figures a failed run lacks, becomes null). */
export function writeResultsJson(path: string, results: BenchResults): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
