import { requireHostPort } from '../address.js';
import type { ClientModule } from '../system.js';
import { createVolleyBenchClient } from './volley-client.js';

/** The `volley-tcp` client module: one connection, calls multiplexed on it. */
export const connectClient: ClientModule['connectClient'] = async (address) => {
  const { host, port } = requireHostPort(address, 'volley-tcp');
  return createVolleyBenchClient(`tcp://${host}:${port}`, {});
};
