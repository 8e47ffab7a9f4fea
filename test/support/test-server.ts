import type { AnyRouter } from '@volley/router';
import { createServer, type ListenOptions, type Server, type ServerOptions } from '@volley/server';
import { createAppRouter } from '@volley/service-app';
import { createLogCapture, type LogCapture } from './log-capture.js';

/** Options for {@link startTestServer}. */
export interface TestServerOptions {
  /** Default: the app router (`echo.*`, `kv.*`). */
  router?: AnyRouter;
  /** Extra UDP settings; host and port are always 127.0.0.1 and 0. */
  udp?: Omit<NonNullable<ListenOptions['udp']>, 'host' | 'port'>;
  /** Extra TCP settings; host and port are always 127.0.0.1 and 0. */
  tcp?: Omit<NonNullable<ListenOptions['tcp']>, 'host' | 'port'>;
  /** Other server options (built-ins, limits); router and logger are set here. */
  server?: Omit<ServerOptions, 'router' | 'logger'>;
}

/** A real server on loopback, with its log lines in memory. */
export interface TestServer {
  readonly server: Server;
  readonly logs: LogCapture;
  readonly udpPort: number;
  readonly tcpPort: number;
  /** `udp://127.0.0.1:<port>` for `createClient`. */
  readonly udpUrl: string;
  /** `tcp://127.0.0.1:<port>` for `createClient`. */
  readonly tcpUrl: string;
  /** Closes at once: calls still running are aborted rather than waited for. */
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 port 0 over UDP and TCP, logging at debug into memory. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const logs = createLogCapture('debug');
  const server = createServer({ ...options.server, router: options.router ?? createAppRouter(), logger: logs.logger });
  return { ...(await listenOnLoopback(server, options)), logs };
}

/** Where a loopback test server listens, and how to close it at once. */
export type LoopbackServer = Omit<TestServer, 'logs'>;

/**
 * Binds `server` to 127.0.0.1 port 0 over UDP and TCP (one port number for both when free), for
 * every test server whatever its logger.
 */
export async function listenOnLoopback(
  server: Server,
  options: Pick<TestServerOptions, 'udp' | 'tcp'> = {},
): Promise<LoopbackServer> {
  const bound = await server.listen({
    udp: { ...options.udp, host: '127.0.0.1', port: 0 },
    tcp: { ...options.tcp, host: '127.0.0.1', port: 0 },
  });
  if (!bound.udp || !bound.tcp) throw new Error('Server did not bind both udp and tcp');
  const udpPort = bound.udp.port;
  const tcpPort = bound.tcp.port;
  return {
    server,
    udpPort,
    tcpPort,
    udpUrl: `udp://127.0.0.1:${udpPort}`,
    tcpUrl: `tcp://127.0.0.1:${tcpPort}`,
    close: () => server.close({ graceMs: 0 }),
  };
}
