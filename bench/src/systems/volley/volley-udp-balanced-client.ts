import { BENCH_MAX_DATAGRAM_BYTES } from '../../constants.js';
import { requireHostPort } from '../address.js';
import type { ClientModule } from '../system.js';
import { createVolleyBenchClient } from './volley-client.js';

/**
 * The `volley-udp-balanced` client module: volley-udp's calls through the balancer. The server
 * is listed twice, which the client folds into one endpoint, so every call takes the balanced
 * path (pick by power of two choices, peak-EWMA bookkeeping, retry accounting) to the same one
 * server as volley-udp: the difference between the two rows is the balancer's cost per call.
 */
export const connectClient: ClientModule['connectClient'] = async (address) => {
  const { host, port } = requireHostPort(address, 'volley-udp-balanced');
  const url = `udp://${host}:${port}`;
  return createVolleyBenchClient([url, url], { maxDatagramBytes: BENCH_MAX_DATAGRAM_BYTES });
};
