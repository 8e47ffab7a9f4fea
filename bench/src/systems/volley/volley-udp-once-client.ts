import { BENCH_MAX_DATAGRAM_BYTES } from '../../constants.js';
import { requireHostPort } from '../address.js';
import type { ClientModule } from '../system.js';
import { createVolleyBenchClient } from './volley-client.js';

/**
 * The `volley-udp-once` client module: `add` calls `addOnce`, the same sum not declared
 * idempotent, so the server keeps every reply for at-most-once execution; `echo` is the normal one.
 */
export const connectClient: ClientModule['connectClient'] = async (address) => {
  const { host, port } = requireHostPort(address, 'volley-udp-once');
  return createVolleyBenchClient(`udp://${host}:${port}`, { maxDatagramBytes: BENCH_MAX_DATAGRAM_BYTES }, 'addOnce');
};
