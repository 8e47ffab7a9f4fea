import { procedure, router } from '@volley/router';
import { createServer, type Server, type ServerOptions } from '@volley/server';
import { createAppRouter } from '@volley/service-app';
import { pino } from 'pino';
import { z } from 'zod';

/** The demo app plus procedures that show what the CLI does with metadata, credentials and big integers. */
export function createCliRouter() {
  return router({
    ...createAppRouter().record,
    probe: router({
      whoami: procedure
        .idempotent()
        .handler(({ ctx }) => ({ metadata: ctx.meta.metadata ?? null, auth: ctx.meta.auth ?? null })),
      big: procedure.idempotent().handler(() => ({ max: 2n ** 64n - 1n, bytes: Buffer.from('hi') })),
      hold: procedure.input(z.object({ ms: z.number() })).handler(
        ({ input, ctx }) =>
          new Promise((resolve) => {
            const timer = setTimeout(() => resolve('held'), input.ms);
            ctx.signal.addEventListener('abort', () => clearTimeout(timer));
          }),
      ),
    }),
  });
}

/** A real server for CLI tests on 127.0.0.1, UDP and TCP on one port. */
export interface CliServer {
  readonly server: Server;
  readonly port: number;
  readonly udp: string;
  readonly tcp: string;
  close(): Promise<void>;
}

export async function startCliServer(options: Partial<ServerOptions> = {}): Promise<CliServer> {
  const server = createServer({
    router: createCliRouter(),
    logger: pino({ level: 'silent' }),
    service: { name: 'demo', version: '1.0.0' },
    ...options,
  });
  const bound = await server.listen({ tcp: { host: '127.0.0.1', port: 0 }, udp: { host: '127.0.0.1', port: 0 } });
  const port = bound.tcp?.port ?? 0;
  if (bound.udp?.port !== port) throw new Error('UDP did not share the TCP port');
  return {
    server,
    port,
    udp: `udp://127.0.0.1:${port}`,
    tcp: `tcp://127.0.0.1:${port}`,
    close: () => server.close({ graceMs: 0 }),
  };
}

/** A loopback port with nothing listening: bind, read the port, close. */
export async function closedPort(): Promise<number> {
  const { createServer: createNetServer } = await import('node:net');
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
