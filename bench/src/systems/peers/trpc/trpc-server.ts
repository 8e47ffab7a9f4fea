import { once } from 'node:events';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import type { RunningServer } from '../../system.js';
import { toBoundPort } from '../host-port.js';
import { appRouter } from './trpc-router.js';

/**
 * The tRPC peer's server: tRPC v11's standalone adapter, a plain node:http server (HTTP/1.1,
 * keep-alive) that answers single and batched calls. It logs nothing: there is no `onError`.
 */
export async function startServer(options: { host: string }): Promise<RunningServer> {
  const server = createHTTPServer({ router: appRouter });
  server.listen(0, options.host);
  await once(server, 'listening');
  return {
    address: { host: options.host, port: toBoundPort(server.address()) },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // close() alone waits for every keep-alive connection to go idle and time out.
        server.closeAllConnections();
      }),
  };
}
