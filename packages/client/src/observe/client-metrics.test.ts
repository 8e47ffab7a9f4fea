import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, type MetricProducer as SdkMetricProducer } from '@opentelemetry/sdk-metrics';
import { RpcError } from '@volley/wire';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { MAX_CLIENT_METRIC_PROCEDURES } from '../constants.js';
import { type ClientMetrics, clientMetrics } from './client-metrics.js';
import type { CallNext, ClientTarget, OutgoingCall } from './interceptor.js';

const UDP: ClientTarget = { url: 'udp://127.0.0.1:4000', transport: 'udp', address: '127.0.0.1', port: 4000 };

const providers: MeterProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

/** What a real Prometheus exporter on a real MeterProvider serves for the client's producer. */
async function exposition(metrics: ClientMetrics): Promise<string> {
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [metrics.producer] });
  providers.push(new MeterProvider({ readers: [exporter] }));
  const { resourceMetrics, errors } = await exporter.collect();
  expect(errors).toEqual([]);
  return new PrometheusSerializer('', false, undefined, true, true).serialize(resourceMetrics);
}

function outgoing(procedure: string, target = UDP): OutgoingCall {
  return { procedure, input: {}, options: {}, target };
}

/** Runs `next` through the interceptor as a client would. */
function callThrough(metrics: ClientMetrics, procedure: string, next: CallNext): Promise<unknown> {
  return metrics.interceptor(outgoing(procedure), next);
}

describe('clientMetrics', () => {
  it('gives a producer the OpenTelemetry SDK accepts', () => {
    expectTypeOf<ClientMetrics['producer']>().toExtend<SdkMetricProducer>();
  });

  it('times calls by procedure, transport and code, and counts them', async () => {
    const metrics = clientMetrics();
    await callThrough(metrics, 'kv.get', async () => 'value');
    await callThrough(metrics, 'kv.get', async () => 'value');
    const failed = callThrough(metrics, 'kv.get', async () => {
      throw new RpcError('NOT_FOUND', 'no such key');
    });
    await expect(failed).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const text = await exposition(metrics);
    const ok = 'rpc_system="volley",rpc_service="kv",rpc_method="get",network_transport="udp",rpc_volley_code="OK"';
    expect(text).toContain(`rpc_client_duration_count{${ok}} 2`);
    expect(text).toContain(`rpc_client_duration_bucket{${ok},le="+Inf"} 2`);
    expect(text).toMatch(/rpc_client_duration_count\{[^}]*rpc_volley_code="NOT_FOUND"\} 1/);
    expect(text).toContain(`volley_client_calls_total{${ok}} 2`);
    expect(text).toMatch(/volley_client_active_calls\{[^}]*rpc_method="get"[^}]*\} 0/);
  });

  it('returns what the call returned and rejects with what it threw', async () => {
    const metrics = clientMetrics();
    expect(await callThrough(metrics, 'add', async () => ({ sum: 3 }))).toEqual({ sum: 3 });
    const error = new Error('not an RpcError');
    await expect(callThrough(metrics, 'add', () => Promise.reject(error))).rejects.toBe(error);
    expect(await exposition(metrics)).toMatch(/rpc_client_duration_count\{[^}]*rpc_volley_code="INTERNAL"\} 1/);
  });

  it('counts calls in flight until they end', async () => {
    const metrics = clientMetrics();
    let finish: (value: unknown) => void = () => {};
    const running = callThrough(metrics, 'add', () => new Promise((resolve) => (finish = resolve)));
    expect(await exposition(metrics)).toMatch(/volley_client_active_calls\{[^}]*\} 1/);
    finish(1);
    await running;
    expect(await exposition(metrics)).toMatch(/volley_client_active_calls\{[^}]*\} 0/);
  });

  it('counts retries and retransmissions from call events, and still tells the caller’s own listener', async () => {
    const metrics = clientMetrics();
    const heard: string[] = [];
    const call = outgoing('add');
    call.options.onEvent = (name) => heard.push(name);
    await metrics.interceptor(call, async (sent) => {
      sent.options.onEvent?.('volley.retransmit', { 'volley.attempt': 2 });
      sent.options.onEvent?.('volley.retransmit', { 'volley.attempt': 3 });
      sent.options.onEvent?.('volley.retry', { 'volley.attempt': 2, 'volley.retry.after': 'UNAVAILABLE' });
      sent.options.onEvent?.('volley.something_else');
      return 1;
    });

    const text = await exposition(metrics);
    expect(heard).toEqual(['volley.retransmit', 'volley.retransmit', 'volley.retry', 'volley.something_else']);
    expect(text).toMatch(/volley_client_retransmissions_total\{[^}]*rpc_method="add"[^}]*\} 2/);
    expect(text).toMatch(/volley_client_retries_total\{[^}]*rpc_method="add"[^}]*\} 1/);
    expect(text).toMatch(/volley_client_tcp_fallbacks_total\{[^}]*\} 0/);
  });

  it('records request and reply sizes per procedure and transport in size buckets, and still tells the caller’s own listener', async () => {
    const metrics = clientMetrics();
    const heard: [number, number][] = [];
    const call = outgoing('kv.get');
    call.options.onSizes = (requestBytes, responseBytes) => heard.push([requestBytes, responseBytes]);
    await metrics.interceptor(call, async (sent) => {
      sent.options.onSizes?.(100, 3000);
      return 1;
    });
    // An attempt that got no reply records its request only.
    const late = callThrough(metrics, 'kv.get', async (sent) => {
      sent.options.onSizes?.(50, 0);
      throw new RpcError('DEADLINE_EXCEEDED', 'no reply');
    });
    await expect(late).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });

    const text = await exposition(metrics);
    expect(heard).toEqual([[100, 3000]]);
    // One series per procedure and transport, no code: as the server's size histograms.
    const get = 'rpc_system="volley",rpc_service="kv",rpc_method="get",network_transport="udp"';
    expect(text).toContain(`rpc_client_request_size_count{${get}} 2`);
    expect(text).toContain(`rpc_client_request_size_sum{${get}} 150`);
    expect(text).toContain(`rpc_client_request_size_bucket{${get},le="64"} 1`);
    expect(text).toContain(`rpc_client_request_size_bucket{${get},le="128"} 2`);
    expect(text).toContain(`rpc_client_response_size_count{${get}} 1`);
    expect(text).toContain(`rpc_client_response_size_sum{${get}} 3000`);
    expect(text).toContain(`rpc_client_response_size_bucket{${get},le="2048"} 0`);
    expect(text).toContain(`rpc_client_response_size_bucket{${get},le="4096"} 1`);
    expect(text).toContain(`rpc_client_response_size_bucket{${get},le="4194304"} 1`);
  });

  it('counts procedures past the cap under _OTHER without remembering their names', async () => {
    const metrics = clientMetrics();
    for (let i = 0; i < MAX_CLIENT_METRIC_PROCEDURES + 5; i++) await callThrough(metrics, `p${i}`, async () => 0);
    const text = await exposition(metrics);
    expect(text).toContain('rpc_method="p0"');
    expect(text).not.toContain(`rpc_method="p${MAX_CLIENT_METRIC_PROCEDURES}"`);
    expect(text).toMatch(/rpc_client_duration_count\{[^}]*rpc_method="_OTHER"[^}]*\} 5/);
  });
});
