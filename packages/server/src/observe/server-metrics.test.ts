/**
 * serverMetrics() against the real OpenTelemetry SDK: its producer is read by a real
 * MeterProvider's PrometheusExporter, and the exposition text has the series, labels and bucket
 * counts docs/observability.md lists. The snapshots are made by hand here; test/observability
 * drives real servers.
 */
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, type MetricProducer as SdkMetricProducer } from '@opentelemetry/sdk-metrics';
import { router } from '@volley/router';
import { DURATION_BOUNDARIES_MS, FixedHistogram, SIZE_BOUNDARIES_BYTES } from '@volley/wire/internal';
import { pino } from 'pino';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { createServer, type Server } from '../server.js';
import { createServerStats, type ServerStats } from '../server-stats.js';
import type { CallSeriesSnapshot } from './call-stats.js';
import { serverMetrics } from './server-metrics.js';
import type { ServerSnapshot } from './server-snapshot.js';

const providers: MeterProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

/** The exposition a real exporter serves for `producer`, without scope labels or target_info. */
async function exposition(producer: ReturnType<typeof serverMetrics>): Promise<{ text: string; errors: unknown[] }> {
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [producer] });
  providers.push(new MeterProvider({ readers: [exporter] }));
  const { resourceMetrics, errors } = await exporter.collect();
  return { text: new PrometheusSerializer('', false, undefined, true, true).serialize(resourceMetrics), errors };
}

function histogramOf(boundaries: readonly number[], values: readonly number[]) {
  const histogram = new FixedHistogram(boundaries);
  for (const value of values) histogram.record(value);
  return histogram.snapshot();
}

function series(overrides: Partial<CallSeriesSnapshot> & Pick<CallSeriesSnapshot, 'procedure' | 'transport'>) {
  return {
    calls: { OK: 0 },
    inFlight: 0,
    replayed: 0,
    dropped: 0,
    durationMs: histogramOf(DURATION_BOUNDARIES_MS, []),
    requestBytes: histogramOf(SIZE_BOUNDARIES_BYTES, []),
    responseBytes: histogramOf(SIZE_BOUNDARIES_BYTES, []),
    ...overrides,
  } satisfies CallSeriesSnapshot;
}

function snapshot(seriesList: CallSeriesSnapshot[], stats: Partial<ServerStats> = {}): ServerSnapshot {
  return { calls: { startedAt: 1_700_000_000_000, series: seriesList }, stats: { ...createServerStats(), ...stats } };
}

const KV_GET_UDP = 'rpc_system="volley",rpc_service="kv",rpc_method="get",network_transport="udp"';

describe('serverMetrics', () => {
  it('gives a producer the OpenTelemetry SDK accepts', () => {
    expectTypeOf<ReturnType<typeof serverMetrics>>().toExtend<SdkMetricProducer>();
  });

  it('writes rpc.server.duration per procedure and transport, with its buckets in milliseconds', async () => {
    const durationMs = histogramOf(DURATION_BOUNDARIES_MS, [0.02, 0.02, 0.3, 12]);
    const { text, errors } = await exposition(
      serverMetrics(() => [snapshot([series({ procedure: 'kv.get', transport: 'udp', durationMs })])]),
    );
    expect(errors).toEqual([]);
    expect(text).toContain('# TYPE rpc_server_duration histogram');
    expect(text).toContain('# UNIT rpc_server_duration ms');
    expect(text).toContain(`rpc_server_duration_count{${KV_GET_UDP}} 4`);
    expect(text).toContain(`rpc_server_duration_sum{${KV_GET_UDP}} 12.34`);
    expect(text).toContain(`rpc_server_duration_bucket{${KV_GET_UDP},le="0.01"} 0`);
    expect(text).toContain(`rpc_server_duration_bucket{${KV_GET_UDP},le="0.025"} 2`);
    expect(text).toContain(`rpc_server_duration_bucket{${KV_GET_UDP},le="0.5"} 3`);
    expect(text).toContain(`rpc_server_duration_bucket{${KV_GET_UDP},le="25"} 4`);
    expect(text).toContain(`rpc_server_duration_bucket{${KV_GET_UDP},le="+Inf"} 4`);
  });

  it('writes calls by code, calls in flight, sizes, and retransmissions replayed or dropped', async () => {
    const requestBytes = histogramOf(SIZE_BOUNDARIES_BYTES, [40, 100]);
    const { text } = await exposition(
      serverMetrics(() => [
        snapshot([
          series({
            procedure: 'add',
            transport: 'tcp',
            calls: { OK: 5, BAD_REQUEST: 2 },
            inFlight: 1,
            replayed: 3,
            dropped: 4,
            requestBytes,
          }),
        ]),
      ]),
    );
    const add = 'rpc_system="volley",rpc_method="add",network_transport="tcp"';
    expect(text).toContain(`volley_server_calls_total{${add},rpc_volley_code="OK"} 5`);
    expect(text).toContain(`volley_server_calls_total{${add},rpc_volley_code="BAD_REQUEST"} 2`);
    expect(text).toContain(`volley_server_active_calls{${add}} 1`);
    expect(text).toContain(`volley_server_replayed_total{${add}} 3`);
    expect(text).toContain(`volley_server_dropped_total{${add}} 4`);
    expect(text).toContain(`rpc_server_request_size_bucket{${add},le="64"} 1`);
    expect(text).toContain(`rpc_server_request_size_count{${add}} 2`);
    expect(text).toContain(`rpc_server_response_size_count{${add}} 0`);
  });

  it('writes the server’s counters: reply cache, amplification, truncation, connections, goaways', async () => {
    const { text } = await exposition(
      serverMetrics(() => [
        snapshot([], {
          replyCacheHits: 7,
          replyCacheEvictions: 1,
          replyCacheEntries: 3,
          replyCacheBytes: 900,
          amplificationSuppressed: 2,
          cookieChallenges: 5,
          truncatedReplies: 6,
          connectionsOpen: 4,
          connectionsRefused: 8,
          handshakeTimeouts: 9,
          goawaysSent: 10,
        }),
      ]),
    );
    for (const line of [
      'volley_server_reply_cache_hits_total 7',
      'volley_server_reply_cache_evictions_total 1',
      'volley_server_reply_cache_entries 3',
      'volley_server_reply_cache_size 900',
      'volley_server_amplification_suppressed_total 2',
      'volley_server_cookie_challenges_total 5',
      'volley_server_truncated_replies_total 6',
      'volley_server_connections 4',
      'volley_server_connections_refused_total{error_type="MAX_CONNECTIONS"} 8',
      'volley_server_connections_refused_total{error_type="HANDSHAKE_TIMEOUT"} 9',
      'volley_server_goaways_total 10',
    ])
      expect(text).toContain(line);
  });

  it('labels each worker’s series with volley_worker', async () => {
    const worker = (id: number, ok: number) =>
      snapshot([series({ procedure: 'add', transport: 'udp', calls: { OK: ok } })], { worker: { id, count: 2 } });
    const { text } = await exposition(serverMetrics(() => [worker(1, 3), worker(2, 4)]));
    const add = 'rpc_system="volley",rpc_method="add",network_transport="udp"';
    expect(text).toContain(`volley_server_calls_total{${add},volley_worker="1",rpc_volley_code="OK"} 3`);
    expect(text).toContain(`volley_server_calls_total{${add},volley_worker="2",rpc_volley_code="OK"} 4`);
    expect(text).toContain('volley_server_goaways_total{volley_worker="2"} 0');
  });

  it('tells apart several servers of one process with volley_server, 1 … N in the order given', async () => {
    const servers = [1, 2].map(() => createServer({ router: router({}), logger: pino({ level: 'silent' }) }));
    const { text } = await exposition(serverMetrics(servers));
    expect(text).toContain('volley_server_goaways_total{volley_server="1"} 0');
    expect(text).toContain('volley_server_goaways_total{volley_server="2"} 0');
    const alone = await exposition(serverMetrics(servers[0] as Server));
    expect(alone.text).toContain('volley_server_goaways_total 0');
    await Promise.all(servers.map((server) => server.close()));
  });

  it('still writes the server’s counters when it counts no calls', async () => {
    const { text } = await exposition(serverMetrics(() => [{ calls: undefined, stats: createServerStats() }]));
    expect(text).not.toContain('rpc_server_duration');
    expect(text).toContain('volley_server_goaways_total 0');
  });

  it('reports a source that fails as a collection error, not a rejected scrape', async () => {
    const failure = new Error('worker gone');
    const { errors } = await exposition(serverMetrics(() => Promise.reject(failure)));
    expect(errors).toEqual([failure]);
  });
});
