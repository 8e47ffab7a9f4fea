import { clientTracing } from '@volley/client';
import { requireHostPort } from '../address.js';
import type { ClientModule } from '../system.js';
import { createVolleyBenchClient } from './volley-client.js';

/** `volley-tcp-otel-api`: `clientTracing()` installed but no OpenTelemetry SDK (the API's no-op). */
export const connectClient: ClientModule['connectClient'] = async (address) => {
  const { host, port } = requireHostPort(address, 'volley-tcp-otel-api');
  return createVolleyBenchClient(`tcp://${host}:${port}`, { interceptors: [clientTracing()] });
};
