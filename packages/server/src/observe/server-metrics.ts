import {
  ATTR_ERROR_TYPE,
  ATTR_RPC_VOLLEY_CODE,
  ATTR_VOLLEY_SERVER,
  ATTR_VOLLEY_WORKER,
  type MetricAttributes,
  MetricBatch,
  type MetricProducer,
  rpcAttributes,
} from '@volley/wire/internal';
import type { ClusterPrimary } from '../cluster/cluster-options.js';
import type { Server } from '../server.js';
import * as I from './server-instruments.js';
import { type ServerSnapshot, snapshotServer } from './server-snapshot.js';

/** Where {@link serverMetrics} reads its figures: servers of this process, a cluster, or any source of snapshots. */
export type ServerMetricsSource =
  | Server
  | readonly Server[]
  | ClusterPrimary
  | (() => readonly ServerSnapshot[] | Promise<readonly ServerSnapshot[]>);

/** Options for {@link serverMetrics}. */
export interface ServerMetricsOptions {
  /** The instrumentation scope the metrics are reported under (Prometheus: `otel_scope_name`). Default `@volley/server`. */
  scopeName?: string;
}

const DEFAULT_SCOPE = '@volley/server';

/**
 * A server's metrics as an OpenTelemetry `MetricProducer`, for any metric reader of the SDK:
 * per procedure and transport the RPC semantic conventions' `rpc.server.duration`,
 * `rpc.server.request.size` and `rpc.server.response.size` histograms, calls by code, calls in
 * flight, retransmissions answered or dropped; per server the reply cache, anti-amplification,
 * truncated replies, connections and goaways. docs/observability.md lists every metric.
 *
 * Nothing is recorded per call for this: the server counts every call anyway (`server.callStats`,
 * `server.stats`: about 0.1 µs and no allocation per call), and a collection turns those counts
 * into metric data. The SDK's own instruments cost 1–2 µs per recorded value with these
 * attributes, half or more of what a TCP call costs the server in all (docs/performance.md).
 *
 * A cluster's primary (`serveCluster`) is a source too: each collection asks every worker for its
 * figures over the cluster's IPC channel, and each point carries `volley.worker`.
 * @example
 * const exporter = new PrometheusExporter({ port: 9464, metricProducers: [serverMetrics(server)] });
 * new MeterProvider({ readers: [exporter] });
 */
export function serverMetrics(source: ServerMetricsSource, options: ServerMetricsOptions = {}): MetricProducer {
  const scope = options.scopeName ?? DEFAULT_SCOPE;
  const createdAt = Date.now();
  const cluster = isClusterPrimary(source) ? source : undefined;
  // Servers of one process share every attribute but this: without it their series would collide.
  const numbered = Array.isArray(source) && source.length > 1;
  const read = readerOf(source);
  return {
    async collect() {
      const batch = new MetricBatch();
      let snapshots: readonly ServerSnapshot[];
      try {
        snapshots = await read();
      } catch (error) {
        return batch.toResult(scope, [error]);
      }
      snapshots.forEach((snapshot, i) => {
        addServer(batch, snapshot, createdAt, numbered ? i + 1 : undefined);
      });
      if (cluster !== undefined) {
        batch.counter(I.CLUSTER_WORKER_EXITS, createdAt, {}, cluster.stats.workerExits);
        batch.counter(I.CLUSTER_RESTARTS, createdAt, {}, cluster.stats.restarts);
      }
      return batch.toResult(scope);
    },
  };
}

function readerOf(source: ServerMetricsSource): () => readonly ServerSnapshot[] | Promise<readonly ServerSnapshot[]> {
  if (typeof source === 'function') return source;
  if (isClusterPrimary(source)) return () => source.snapshots();
  const servers: readonly Server[] = isServerList(source) ? source : [source];
  return () => servers.map(snapshotServer);
}

function isServerList(source: Server | readonly Server[]): source is readonly Server[] {
  return Array.isArray(source);
}

function isClusterPrimary(source: ServerMetricsSource): source is ClusterPrimary {
  return typeof source === 'object' && 'role' in source && source.role === 'primary';
}

/**
 * One server's points: per procedure and transport from its CallStats, per server from its stats.
 * `fallbackStartMs` stands for when the counters started if the server counts no calls; `number`
 * tells servers of one process apart (1, 2, … in the order given).
 */
function addServer(
  batch: MetricBatch,
  snapshot: ServerSnapshot,
  fallbackStartMs: number,
  number: number | undefined,
): void {
  const { calls, stats } = snapshot;
  const startMs = calls?.startedAt ?? fallbackStartMs;
  const worker = stats.worker?.id;
  const own: MetricAttributes = {
    ...(worker !== undefined && { [ATTR_VOLLEY_WORKER]: worker }),
    ...(number !== undefined && { [ATTR_VOLLEY_SERVER]: number }),
  };

  for (const series of calls?.series ?? []) {
    const attributes = { ...rpcAttributes(series.procedure, series.transport), ...own };
    batch.histogram(I.RPC_SERVER_DURATION, startMs, attributes, series.durationMs);
    batch.histogram(I.RPC_SERVER_REQUEST_SIZE, startMs, attributes, series.requestBytes);
    batch.histogram(I.RPC_SERVER_RESPONSE_SIZE, startMs, attributes, series.responseBytes);
    for (const [code, n] of Object.entries(series.calls))
      batch.counter(I.SERVER_CALLS, startMs, { ...attributes, [ATTR_RPC_VOLLEY_CODE]: code }, n);
    batch.upDownCounter(I.SERVER_ACTIVE_CALLS, startMs, attributes, series.inFlight);
    batch.counter(I.SERVER_REPLAYED, startMs, attributes, series.replayed);
    batch.counter(I.SERVER_DROPPED, startMs, attributes, series.dropped);
  }

  batch.counter(I.REPLY_CACHE_HITS, startMs, own, stats.replyCacheHits);
  batch.counter(I.REPLY_CACHE_EVICTIONS, startMs, own, stats.replyCacheEvictions);
  batch.upDownCounter(I.REPLY_CACHE_ENTRIES, startMs, own, stats.replyCacheEntries);
  batch.upDownCounter(I.REPLY_CACHE_SIZE, startMs, own, stats.replyCacheBytes);
  batch.counter(I.AMPLIFICATION_SUPPRESSED, startMs, own, stats.amplificationSuppressed);
  batch.counter(I.COOKIE_CHALLENGES, startMs, own, stats.cookieChallenges);
  batch.counter(I.TRUNCATED_REPLIES, startMs, own, stats.truncatedReplies);
  batch.upDownCounter(I.CONNECTIONS, startMs, own, stats.connectionsOpen);
  batch.counter(
    I.CONNECTIONS_REFUSED,
    startMs,
    { ...own, [ATTR_ERROR_TYPE]: 'MAX_CONNECTIONS' },
    stats.connectionsRefused,
  );
  batch.counter(
    I.CONNECTIONS_REFUSED,
    startMs,
    { ...own, [ATTR_ERROR_TYPE]: 'HANDSHAKE_TIMEOUT' },
    stats.handshakeTimeouts,
  );
  batch.counter(I.GOAWAYS, startMs, own, stats.goawaysSent);
}
