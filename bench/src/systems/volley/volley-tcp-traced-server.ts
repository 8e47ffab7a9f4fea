import { serverTracing } from '@volley/server';
import type { ServerModule } from '../system.js';
import { installTracingSdk } from './tracing-sdk.js';
import { startVolleyServer } from './volley-server.js';

/** `volley-tcp-traced`: `volley-tcp` with `serverTracing()` and the OpenTelemetry SDK sampling every span. */
export const startServer: ServerModule['startServer'] = async ({ host }) => {
  installTracingSdk();
  const server = await startVolleyServer({ tcp: { host, port: 0 } }, { observers: [serverTracing()] });
  return { address: { host, port: server.bound.tcp?.port ?? 0 }, close: server.close };
};
