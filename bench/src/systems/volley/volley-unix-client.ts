import { requireSocketPath } from '../address.js';
import type { ClientModule } from '../system.js';
import { createVolleyBenchClient } from './volley-client.js';

/** The `volley-unix` client module: one Unix-socket connection, calls multiplexed on it. */
export const connectClient: ClientModule['connectClient'] = async (address) => {
  const path = requireSocketPath(address, 'volley-unix');
  return createVolleyBenchClient(`unix://${path}`, {});
};
