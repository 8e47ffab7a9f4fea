/**
 * Issue 4, graceful drain: under a steady load of calls, closing one server and starting another
 * on the same port loses zero calls of an idempotent procedure when the client retries calls that
 * were refused as not executed.
 */
import { createClient } from '@volley/client';
import { createServer, type Server } from '@volley/server';
import { type AppRouter, createAppRouter } from '@volley/service-app';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/index.js';

const WORKERS = 16;

describe.each(['tcp', 'udp'] as const)('restarting a server under load over %s', (transport) => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close({ graceMs: 0 })));
    servers.length = 0;
  });

  async function start(port: number): Promise<number> {
    const server = createServer({ router: createAppRouter(), logger: pino({ level: 'silent' }), closeGraceMs: 2_000 });
    servers.push(server);
    const bound = await server.listen(
      transport === 'tcp' ? { tcp: { host: '127.0.0.1', port } } : { udp: { host: '127.0.0.1', port } },
    );
    return (bound.tcp ?? bound.udp)?.port ?? 0;
  }

  it('loses no call of an idempotent procedure', { timeout: 30_000 }, async () => {
    const port = await start(0);
    const client = createClient<AppRouter>(`${transport}://127.0.0.1:${port}`, {
      retry: { maxAttempts: 100, baseMs: 10 },
      reconnect: { baseMs: 10, maxMs: 100 },
      tcpFallback: false,
    });
    let running = true;
    let ok = 0;
    const failures: unknown[] = [];
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        try {
          const { sum } = await client.echo.add({ a: w, b: i });
          if (sum === w + i) ok++;
          else failures.push(new Error(`wrong sum ${sum}`));
        } catch (error) {
          failures.push(error);
        }
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await waitFor(() => ok >= 500, { timeoutMs: 20_000, what: '500 calls on the first server' });
    const first = servers[0] as Server;
    await first.close();
    const okAtSwitch = ok;
    await start(port);
    await waitFor(() => ok >= okAtSwitch + 500, { timeoutMs: 20_000, what: '500 calls on the second server' });
    running = false;
    await load;
    await client.close();

    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThanOrEqual(okAtSwitch + 500);
  });
});
