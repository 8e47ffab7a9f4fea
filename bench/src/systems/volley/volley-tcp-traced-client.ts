import { clientTracing } from '@volley/client';
import { requireHostPort } from '../address.js';
import type { ClientModule } from '../system.js';
import { installTracingSdk } from './tracing-sdk.js';
import { createVolleyBenchClient } from './volley-client.js';

/** `volley-tcp-traced`: `volley-tcp` with `clientTracing()` and the SDK sampling every span. */
export const connectClient: ClientModule['connectClient'] = async (address) => {
  const { host, port } = requireHostPort(address, 'volley-tcp-traced');
  installTracingSdk();
  return createVolleyBenchClient(`tcp://${host}:${port}`, { interceptors: [clientTracing()] });
};
