import type { Server } from '@volley/server';
import { HEALTH_PROCEDURE } from '@volley/wire';

/**
 * `$health` requests `server` dispatched: a UDP client's incarnation probes (docs/protocol.md §5.7,
 * one beside its first non-idempotent call while it knows no incarnation), each run again by every
 * copy that reaches the server, since `$health` is idempotent and never kept in the reply cache.
 */
export function healthCalls(server: Pick<Server, 'callStats'>): number {
  const snapshot = server.callStats?.snapshot();
  if (snapshot === undefined) throw new Error('healthCalls needs a server with callStats');
  let calls = 0;
  for (const series of snapshot.series)
    if (series.procedure === HEALTH_PROCEDURE) for (const count of Object.values(series.calls)) calls += count;
  return calls;
}

/** `server.stats.calls` less its `$health` calls: what a test's own calls made it dispatch. */
export function callsBesidesProbes(server: Pick<Server, 'callStats' | 'stats'>): number {
  return server.stats.calls - healthCalls(server);
}
