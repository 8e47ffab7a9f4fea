import type { BenchConfig } from './config.js';
import { listScenarios, type Scenario } from './scenarios.js';
import type { SystemDefinition } from './systems/system.js';

/**
 * The systems to run, in registry order: those named (all when none are), plus the baseline of
 * each, since every figure is reported as a ratio to its baseline. Throws for an unknown id.
 */
export function selectSystems(
  all: readonly SystemDefinition[],
  ids: readonly string[] | undefined,
): SystemDefinition[] {
  if (ids === undefined) return [...all];
  const known = new Set(all.map((system) => system.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new Error(`unknown system ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  const wanted = new Set(ids);
  for (const system of all) if (wanted.has(system.id)) wanted.add(system.baseline);
  return all.filter((system) => wanted.has(system.id));
}

/** The scenarios to run: each whose id contains any filter (all without filters). Throws when none match. */
export function selectScenarios(config: Pick<BenchConfig, 'outstanding' | 'scenarios'>): Scenario[] {
  const filters = config.scenarios;
  const all = listScenarios(config.outstanding);
  const chosen =
    filters === undefined ? all : all.filter((scenario) => filters.some((filter) => scenario.id.includes(filter)));
  if (chosen.length === 0)
    throw new Error(
      `no scenario matches ${filters?.join(', ')}; scenarios: ${all.map((scenario) => scenario.id).join(', ')}`,
    );
  return chosen;
}

/** The systems of `systems` that run `scenario`'s payload. */
export function systemsFor(scenario: Scenario, systems: readonly SystemDefinition[]): SystemDefinition[] {
  return systems.filter((system) => system.payloads === undefined || system.payloads.includes(scenario.payload));
}

/**
 * The order systems run in one round: the list rotated by one more place each round (and each
 * scenario), so over as many rounds as there are systems every system runs in every position,
 * and slow drift of a shared machine (another job starting, thermal limits) hits all alike
 * instead of always penalising whoever runs last.
 */
export function roundOrder<T>(items: readonly T[], rotation: number): T[] {
  if (items.length === 0) return [];
  const shift = ((rotation % items.length) + items.length) % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
