import { type ClientOptions, createClient } from '@volley/client';
import type { BenchRouter } from '../../bench-router.js';
import type { BenchClient } from '../system.js';

/** Which procedure `add` calls: the idempotent `add`, or `addOnce` (same sum, reply cache on over UDP). */
export type VolleyAddProcedure = 'add' | 'addOnce';

/** A Volley client (public `createClient`, typed by the bench router) behind the bench's client contract. */
export function createVolleyBenchClient(
  url: string | readonly string[],
  options: ClientOptions,
  addProcedure: VolleyAddProcedure = 'add',
): BenchClient {
  const client = createClient<BenchRouter>(url, options);
  return {
    add: addProcedure === 'add' ? (input) => client.add(input) : (input) => client.addOnce(input),
    echo: (input) => client.echo(input),
    resends: () => client.stats.retransmits,
    close: () => client.close(),
  };
}
