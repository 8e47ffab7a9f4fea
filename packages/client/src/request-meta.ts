import type { RequestMeta } from '@volley/wire';
import type { PendingCall } from './pending-call.js';

/**
 * The metadata of one transmission of `call` at time `now`: the deadline remaining, then for a
 * UDP client (`clientId` given) the attempt number and client id (kept over the TCP route, so the server finds a truncated
 * reply by client id and msgid), on retransmissions the server incarnation known at the first
 * transmission, fetch-only for such a fetch, the server's address cookie (datagrams only), and the caller's
 * trace, credentials and application metadata. Plain arguments, no options object: this runs for
 * every transmission.
 */
export function requestMeta(
  call: PendingCall,
  now: number,
  clientId: Uint8Array | undefined,
  cookie: Uint8Array | undefined,
): RequestMeta {
  const meta: RequestMeta = { deadlineMs: Math.max(0, Math.round(call.deadlineAt - now)) };
  if (clientId !== undefined) {
    meta.attempt = call.attempt + 1;
    meta.clientId = clientId;
    // Never on a first transmission: first attempts pay nothing for at-most-once across restarts.
    if (call.attempt > 0 && call.incarnation !== undefined) meta.incarnation = call.incarnation;
    if (call.fetching) meta.fetchOnly = true;
    if (cookie !== undefined) meta.cookie = cookie;
  }
  if (call.trace !== undefined) meta.trace = call.trace;
  if (call.traceState !== undefined) meta.traceState = call.traceState;
  if (call.auth !== undefined) meta.auth = call.auth;
  if (call.metadata !== undefined) meta.metadata = call.metadata;
  return meta;
}
