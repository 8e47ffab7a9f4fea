import { serverTracing } from '@volley/server';
import type { ServerModule } from '../system.js';
import { startVolleyServer } from './volley-server.js';

/** `volley-tcp-otel-api`: `serverTracing()` installed but no OpenTelemetry SDK (the API's no-op). */
export const startServer: ServerModule['startServer'] = async ({ host }) => {
  const server = await startVolleyServer({ tcp: { host, port: 0 } }, { observers: [serverTracing()] });
  return { address: { host, port: server.bound.tcp?.port ?? 0 }, close: server.close };
};
