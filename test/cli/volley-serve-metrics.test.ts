/**
 * `volley serve --metrics [host:]port`: a Prometheus endpoint beside the service, for one process
 * and for a cluster (the primary serves every worker's series, labelled `volley_worker`), closed
 * with the drain; a bad value or a port in use is one line and a non-zero exit.
 * test/observability/prometheus.test.ts scrapes it with a real Prometheus.
 */
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient, type VolleyClient } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { afterEach, describe, expect, it } from 'vitest';
import { runVolley } from './run-volley.js';
import { type Serving, startServing } from './serving.js';

const APP_ROUTER = fileURLToPath(new URL('../../services/app/src/app-router.ts', import.meta.url));

const servings: Serving[] = [];
const clients: VolleyClient<AppRouter>[] = [];
const blockers: NetServer[] = [];

afterEach(async () => {
  for (const serving of servings.splice(0)) serving.kill();
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(blockers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** `volley serve <args>`, killed after the test. */
async function serve(args: readonly string[]): Promise<Serving & { metricsUrl: string }> {
  const serving = await startServing(args);
  servings.push(serving);
  if (serving.metricsUrl === undefined) throw new Error(`no metrics URL in ${JSON.stringify(serving.line)}`);
  return { ...serving, metricsUrl: serving.metricsUrl };
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  // What Prometheus 3 needs to know the format (it refuses a bare text/plain without a fallback).
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

describe('volley serve --metrics', () => {
  it('serves the calls’ metrics at the URL of its "serving" line, and closes the endpoint with the drain', async () => {
    const served = await serve([APP_ROUTER, '--port', '0', '--metrics', '127.0.0.1:0']);
    expect(served.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const client = createClient<AppRouter>(`tcp://127.0.0.1:${served.tcpPort}`);
    clients.push(client);
    await client.echo.add({ a: 1, b: 2 });
    await expect(client.echo.fail({ code: 'NOT_FOUND', message: 'nothing' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    const text = await scrape(served.metricsUrl);
    const add = 'rpc_system="volley",rpc_service="echo",rpc_method="add",network_transport="tcp"';
    expect(text).toContain(`rpc_server_duration_count{${add},otel_scope_name="@volley/server"} 1`);
    expect(text).toMatch(/volley_server_calls_total\{[^}]*rpc_method="fail"[^}]*rpc_volley_code="NOT_FOUND"[^}]*\} 1/);
    expect(text).toContain('volley_server_connections{otel_scope_name="@volley/server"} 1');
    expect((await fetch(served.metricsUrl.replace('/metrics', '/other'))).status).toBe(404);

    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    await expect(fetch(served.metricsUrl)).rejects.toThrow();
  }, 30_000);

  it('serves every worker’s series from the primary with --workers, labelled volley_worker', async () => {
    const served = await serve([APP_ROUTER, '--port', '0', '--workers', '2', '--metrics', '127.0.0.1:0']);
    // TCP connections are dealt round robin: eight clients reach both workers.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const client = createClient<AppRouter>(`tcp://127.0.0.1:${served.tcpPort}`);
        clients.push(client);
        await client.echo.add({ a: 1, b: 1 });
      }),
    );
    const text = await scrape(served.metricsUrl);
    const counts = [1, 2].map((worker) => {
      const match = new RegExp(
        `rpc_server_duration_count\\{[^}]*rpc_method="add"[^}]*volley_worker="${worker}"[^}]*\\} (\\d+)`,
      ).exec(text);
      return Number(match?.[1]);
    });
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
    expect((counts[0] ?? 0) + (counts[1] ?? 0)).toBe(8);
    expect(text).toContain('volley_cluster_restarts_total{otel_scope_name="@volley/server"} 0');

    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
  }, 60_000);

  it('reports a metrics port in use as one line on stderr and exits 4', async () => {
    const blocker = createNetServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const run = await runVolley(['serve', APP_ROUTER, '--port', '0', '--metrics', String(port)]);
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(
      `volley serve: cannot listen on metrics 127.0.0.1:${port}: the port is in use (EADDRINUSE)\n`,
    );
  }, 30_000);

  it('rejects a --metrics value that is not [host:]port with one line and exit 2', async () => {
    const run = await runVolley(['serve', APP_ROUTER, '--metrics', 'localhost:http']);
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('--metrics must be [host:]port');
  });
});
