/**
 * Both ends' metrics in one real OpenTelemetry exporter, as docs/observability.md sets them up:
 * `clientMetrics()` on a client and `serverMetrics(server)` on its server count the same calls,
 * over UDP and TCP, a failure included, and the same request and reply sizes.
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

/** A test server, a `clientMetrics()`, and one exporter reading both. */
async function setup() {
  const app = resources.track(await startTestServer());
  const calls = clientMetrics();
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [serverMetrics(app.server), calls.producer],
  });
  const provider = new MeterProvider({ readers: [exporter] });
  resources.track({ close: () => provider.shutdown() });
  return { app, calls, exporter };
}

it('counts the same calls at the client and at the server, per transport and code', async () => {
  const { app, calls, exporter } = await setup();
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

it('records the sizes of requests and replies at the client as the server received and sent them', async () => {
  const { app, calls, exporter } = await setup();
  const interceptors = [calls.interceptor];
  const udp = resources.track(createClient<AppRouter>(app.udpUrl, { interceptors, tcpFallback: app.tcpUrl }));
  const tcp = resources.track(createClient<AppRouter>(app.tcpUrl, { interceptors }));

  for (let i = 0; i < 3; i++) await udp.echo.add({ a: i, b: 1 });
  await tcp.echo.add({ a: 1, b: 1 });
  await tcp.echo.add({ a: 100_000, b: 1 });
  await tcp.kv.set({ key: 'big', value: 'v'.repeat(5000) });
  // Too large for a datagram: truncated, then fetched whole over the TCP route.
  expect((await udp.kv.get({ key: 'big' })).value).toHaveLength(5000);

  const text = await scrape(exporter);
  const sizes = (side: 'client' | 'server', which: 'request' | 'response', labels: Record<string, string>) => ({
    count: sampleOf(text, `rpc_${side}_${which}_size_count`, labels),
    sum: sampleOf(text, `rpc_${side}_${which}_size_sum`, labels),
  });
  const addOver = (transport: string) => ({ rpc_service: 'echo', rpc_method: 'add', network_transport: transport });
  // Over TCP the client's messages are the frames the server read and wrote, byte for byte.
  expect(sizes('client', 'request', addOver('tcp'))).toEqual(sizes('server', 'request', addOver('tcp')));
  expect(sizes('client', 'response', addOver('tcp'))).toEqual(sizes('server', 'response', addOver('tcp')));
  expect(sizes('client', 'request', addOver('tcp')).count).toBe(2);
  // Over UDP the request is the datagram both ends count; the client's reply is the datagram,
  // the server's the reply body without its metadata (attempt, client id, incarnation).
  expect(sizes('client', 'request', addOver('udp'))).toEqual(sizes('server', 'request', addOver('udp')));
  const udpReplies = sizes('client', 'response', addOver('udp'));
  const udpBodies = sizes('server', 'response', addOver('udp'));
  expect(udpReplies.count).toBe(3);
  expect(udpBodies.count).toBe(3);
  expect(udpReplies.sum).toBeGreaterThan(udpBodies.sum ?? Number.NaN);
  // A truncated reply counts once, at the size of the whole reply the client fetched over TCP:
  // the body the server kept, as the server counted it.
  const get = { rpc_service: 'kv', rpc_method: 'get', network_transport: 'udp' };
  expect(sizes('client', 'request', get).count).toBe(1);
  expect(sizes('client', 'response', get)).toEqual(sizes('server', 'response', get));
  expect(sizes('client', 'response', get)).toMatchObject({ count: 1, sum: expect.any(Number) });
  expect(sizes('client', 'response', get).sum).toBeGreaterThan(5000);
  expect(sampleOf(text, 'rpc_client_response_size_bucket', { ...get, le: '4096' })).toBe(0);
  expect(sampleOf(text, 'rpc_client_response_size_bucket', { ...get, le: '8192' })).toBe(1);
});
