import type { ClientStats } from '../call-options.js';
import type { EndpointPool } from './endpoint-pool.js';

/** Counters the balanced client keeps itself; every other one is the sum over its endpoints' engines. */
const OWN_KEYS = new Set<keyof ClientStats>(['calls', 'callRetries', 'retriesDenied', 'failovers']);

/**
 * `client.stats` of a balanced client: live, like a single client's (each read is current), with
 * per-endpoint figures under `endpoints`. Probes are not calls; their datagrams are counted in `sent`.
 */
export function createLiveStats(own: ClientStats, pool: EndpointPool): ClientStats {
  const stats = {} as ClientStats;
  for (const key of Object.keys(own) as (keyof ClientStats)[]) {
    Object.defineProperty(stats, key, {
      enumerable: true,
      get: OWN_KEYS.has(key)
        ? () => own[key]
        : () => {
            let sum = 0;
            for (const core of pool.coreStats()) sum += core[key] as number;
            return sum;
          },
    });
  }
  Object.defineProperty(stats, 'endpoints', {
    enumerable: true,
    get: () => {
      const now = performance.now();
      return [...pool.endpoints()].map((endpoint) => endpoint.stats(now));
    },
  });
  return stats;
}
