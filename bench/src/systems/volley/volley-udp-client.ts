import { BENCH_MAX_DATAGRAM_BYTES } from '../../constants.js';
import { requireHostPort } from '../address.js';
import type { ClientModule } from '../system.js';
import { createVolleyBenchClient } from './volley-client.js';

/** The `volley-udp` client module: idempotent `add` and `echo`, so the server keeps no replies. */
export const connectClient: ClientModule['connectClient'] = async (address) => {
  const { host, port } = requireHostPort(address, 'volley-udp');
  return createVolleyBenchClient(`udp://${host}:${port}`, { maxDatagramBytes: BENCH_MAX_DATAGRAM_BYTES });
};
