import { availableParallelism } from 'node:os';
import { UsageError } from '../usage-error.js';

/**
 * `--workers auto|N`: how many worker processes `volley serve` runs (serveCluster), or undefined
 * without the flag: one process, as before the flag existed. A service that wants every core
 * says so; a surprise fork of one process per core (each with its own reply cache and memory)
 * is not a default a CLI should choose for it.
 */
export function workersFromFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === 'auto') return availableParallelism();
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1)
    throw new UsageError(`--workers must be "auto" or a whole number ≥ 1, got "${value}"`);
  return n;
}
