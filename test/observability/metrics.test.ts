/**
 * Both ends' metrics in one real OpenTelemetry exporter, as docs/observability.md sets them up:
 * `clientMetrics()` on a client and `serverMetrics(server)` on its server count the same calls,
 * over UDP and TCP, a failure included.
 */
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { clientMetrics, createClient } from '@volley/client';
import { serverMetrics } from '@volley/server';
import type { AppRouter } from '@volley/service-app';
import { afterEach, expect, it } from 'vitest';
import { Resources, startTestServer } from '../support/index.js';

const resources = new Resources();
afterEach(() => resources.closeAll());

/** Reads the producers once, as a scrape would, without scope labels. */
async function scrape(exporter: PrometheusExporter): Promise<string> {
  const { resourceMetrics, errors } = await exporter.collect();
  expect(errors).toEqual([]);
  return new PrometheusSerializer('', false, undefined, true, true).serialize(resourceMetrics);
}

/** The value of the one sample of `name` whose labels include every one of `labels`. */
function sampleOf(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    const have = match?.[2]?.split(',') ?? [];
    if (match?.[1] === name && wanted.every((label) => have.includes(label))) return Number(match[3]);
  }
  return undefined;
}

it('counts the same calls at the client and at the server, per transport and code', async () => {
  const app = resources.track(await startTestServer());
  const calls = clientMetrics();
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [serverMetrics(app.server), calls.producer],
  });
  const provider = new MeterProvider({ readers: [exporter] });
  resources.track({ close: () => provider.shutdown() });
  const udp = resources.track(createClient<AppRouter>(app.udpUrl, { interceptors: [calls.interceptor] }));
  const tcp = resources.track(createClient<AppRouter>(app.tcpUrl, { interceptors: [calls.interceptor] }));

  for (let i = 0; i < 3; i++) await udp.echo.add({ a: i, b: 1 });
  await tcp.echo.add({ a: 1, b: 1 });
  await expect(udp.echo.fail({ code: 'PERMISSION_DENIED', message: 'no' })).rejects.toMatchObject({
    code: 'PERMISSION_DENIED',
  });

  const text = await scrape(exporter);
  const add = { rpc_service: 'echo', rpc_method: 'add' };
  for (const side of ['server', 'client'] as const) {
    expect(
      sampleOf(text, `volley_${side}_calls_total`, { ...add, network_transport: 'udp', rpc_volley_code: 'OK' }),
    ).toBe(3);
    expect(
      sampleOf(text, `volley_${side}_calls_total`, { ...add, network_transport: 'tcp', rpc_volley_code: 'OK' }),
    ).toBe(1);
    expect(
      sampleOf(text, `volley_${side}_calls_total`, { rpc_method: 'fail', rpc_volley_code: 'PERMISSION_DENIED' }),
    ).toBe(1);
  }
  expect(sampleOf(text, 'rpc_server_duration_count', { ...add, network_transport: 'udp' })).toBe(3);
  expect(sampleOf(text, 'rpc_client_duration_count', { ...add, network_transport: 'udp', rpc_volley_code: 'OK' })).toBe(
    3,
  );
  // A client's time includes the network and its own work: never less than the server's.
  const serverSum = sampleOf(text, 'rpc_server_duration_sum', { ...add, network_transport: 'udp' }) ?? Number.NaN;
  const clientSum =
    sampleOf(text, 'rpc_client_duration_sum', { ...add, network_transport: 'udp', rpc_volley_code: 'OK' }) ??
    Number.NaN;
  expect(clientSum).toBeGreaterThan(serverSum);
  expect(sampleOf(text, 'volley_server_connections', {})).toBe(1);
});
