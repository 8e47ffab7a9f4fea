import { CLUSTER_RESTART_BASE_MS, CLUSTER_RESTART_MAX_MS, CLUSTER_STABLE_AFTER_MS } from '../constants.js';

/**
 * When to replace a worker that died, per worker slot: at once after a healthy run, then
 * doubling while the replacements keep dying young, so a worker that crashes on start (a bad
 * config, a port taken) costs a fork every few seconds at most, not a busy loop.
 *
 *   died after ≥ 10 s ─▶ 0 ms, count = 1
 *   died young        ─▶ 0, 100, 200, 400 … 10 000 ms (count 1, 2, 3 …)
 */
export class RestartBackoff {
  #youngDeaths = 0;

  /** The delay before the next start, given how long the worker that just died had run. */
  next(livedMs: number): number {
    this.#youngDeaths = livedMs >= CLUSTER_STABLE_AFTER_MS ? 1 : this.#youngDeaths + 1;
    if (this.#youngDeaths === 1) return 0;
    return Math.min(CLUSTER_RESTART_BASE_MS * 2 ** (this.#youngDeaths - 2), CLUSTER_RESTART_MAX_MS);
  }
}
