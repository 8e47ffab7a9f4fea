import type { TransportKind } from '@volley/transport';
import { isRpcError } from '@volley/wire';
import {
  ATTR_RPC_VOLLEY_CODE,
  DURATION_BOUNDARIES_MS,
  FixedHistogram,
  MetricBatch,
  type MetricDescriptor,
  type MetricProducer,
  OTHER_PROCEDURE,
  rpcAttributes,
  SIZE_BOUNDARIES_BYTES,
} from '@volley/wire/internal';
import { MAX_CLIENT_METRIC_PROCEDURES } from '../constants.js';
import type { CallEventListener, CallSizesListener } from './call-events.js';
import * as I from './client-instruments.js';
import type { ClientInterceptor } from './interceptor.js';

/** What {@link clientMetrics} returns: put the interceptor on clients, the producer on a metric reader. */
export interface ClientMetrics {
  readonly interceptor: ClientInterceptor;
  readonly producer: MetricProducer;
}

/** Options for {@link clientMetrics}. */
export interface ClientMetricsOptions {
  /** The instrumentation scope the metrics are reported under (Prometheus: `otel_scope_name`). Default `@volley/client`. */
  scopeName?: string;
}

/** Call events counted, and the counter each goes to (docs/observability.md names the events). */
const EVENT_COUNTERS: Readonly<Record<string, MetricDescriptor>> = {
  'volley.retry': I.CLIENT_RETRIES,
  'volley.retransmit': I.CLIENT_RETRANSMISSIONS,
  'volley.tcp_fallback': I.CLIENT_TCP_FALLBACKS,
  'volley.reply.truncated': I.CLIENT_TRUNCATED_REPLIES,
  'volley.cookie_challenge': I.CLIENT_COOKIE_CHALLENGES,
};

/** One procedure over one transport: durations by code, message sizes, calls running, events counted. */
class ProcedureSeries {
  readonly procedure: string;
  readonly transport: TransportKind;
  readonly durations = new Map<string, FixedHistogram>();
  readonly requestSizes = new FixedHistogram(SIZE_BOUNDARIES_BYTES);
  readonly responseSizes = new FixedHistogram(SIZE_BOUNDARIES_BYTES);
  readonly events = new Map<MetricDescriptor, number>();
  active = 0;
  /** One listener per series, not per call: a call without its own `onEvent` allocates nothing for it. */
  readonly onEvent: CallEventListener = (name) => {
    const counter = EVENT_COUNTERS[name];
    if (counter !== undefined) this.events.set(counter, (this.events.get(counter) ?? 0) + 1);
  };
  /** Per series too: each attempt that sent a request records it, and the reply if one came. */
  readonly onSizes: CallSizesListener = (requestBytes, responseBytes) => {
    this.requestSizes.record(requestBytes);
    if (responseBytes > 0) this.responseSizes.record(responseBytes);
  };

  constructor(procedure: string, transport: TransportKind) {
    this.procedure = procedure;
    this.transport = transport;
  }

  end(code: string, startedAt: number): void {
    this.active--;
    let durations = this.durations.get(code);
    if (durations === undefined) this.durations.set(code, (durations = new FixedHistogram(DURATION_BOUNDARIES_MS)));
    durations.record(performance.now() - startedAt);
  }
}

/**
 * Client metrics without the OpenTelemetry SDK on the call path: an interceptor that times every
 * call (all its attempts) into fixed-bucket histograms by procedure, transport and code, records
 * the sizes of its requests and replies (the call's `onSizes`), and counts retries,
 * retransmissions and the other call events; and a `MetricProducer` that hands
 * those counts to any OpenTelemetry metric reader when it collects. One `clientMetrics()` may
 * serve many clients: their calls add up per procedure and transport.
 * @example
 * const metrics = clientMetrics();
 * const client = createClient<AppRouter>('udp://127.0.0.1:4000', { interceptors: [metrics.interceptor] });
 * new MeterProvider({ readers: [new PrometheusExporter({ metricProducers: [metrics.producer] })] });
 */
export function clientMetrics(options: ClientMetricsOptions = {}): ClientMetrics {
  const scope = options.scopeName ?? '@volley/client';
  const startedAt = Date.now();
  const byTransport = new Map<TransportKind, Map<string, ProcedureSeries>>();
  let procedures = 0;

  const seriesOf = (procedure: string, transport: TransportKind): ProcedureSeries => {
    let byProcedure = byTransport.get(transport);
    if (byProcedure === undefined) byTransport.set(transport, (byProcedure = new Map()));
    let series = byProcedure.get(procedure);
    if (series === undefined) {
      // Names come from the caller's code, but a program may build them: past the cap they share
      // one series, and are not remembered (an unbounded set of names must not grow the map).
      if (procedures >= MAX_CLIENT_METRIC_PROCEDURES) return otherSeries(byProcedure, transport);
      series = new ProcedureSeries(procedure, transport);
      byProcedure.set(procedure, series);
      procedures++;
    }
    return series;
  };

  const otherSeries = (byProcedure: Map<string, ProcedureSeries>, transport: TransportKind): ProcedureSeries => {
    let series = byProcedure.get(OTHER_PROCEDURE);
    if (series === undefined)
      byProcedure.set(OTHER_PROCEDURE, (series = new ProcedureSeries(OTHER_PROCEDURE, transport)));
    return series;
  };

  const interceptor: ClientInterceptor = (call, next) => {
    const series = seriesOf(call.procedure, call.target.transport);
    call.options.onEvent = alsoTell(series.onEvent, call.options.onEvent);
    call.options.onSizes = alsoTell(series.onSizes, call.options.onSizes);
    const startedAt = performance.now();
    series.active++;
    return next(call).then(
      (value) => {
        series.end('OK', startedAt);
        return value;
      },
      (error: unknown) => {
        series.end(isRpcError(error) ? error.code : 'INTERNAL', startedAt);
        throw error;
      },
    );
  };

  const producer: MetricProducer = {
    async collect() {
      const batch = new MetricBatch();
      for (const byProcedure of byTransport.values())
        for (const series of byProcedure.values()) {
          const attributes = rpcAttributes(series.procedure, series.transport);
          for (const [code, durations] of series.durations) {
            const withCode = { ...attributes, [ATTR_RPC_VOLLEY_CODE]: code };
            const snapshot = durations.snapshot();
            batch.histogram(I.RPC_CLIENT_DURATION, startedAt, withCode, snapshot);
            batch.counter(I.CLIENT_CALLS, startedAt, withCode, snapshot.count);
          }
          batch.histogram(I.RPC_CLIENT_REQUEST_SIZE, startedAt, attributes, series.requestSizes.snapshot());
          batch.histogram(I.RPC_CLIENT_RESPONSE_SIZE, startedAt, attributes, series.responseSizes.snapshot());
          batch.upDownCounter(I.CLIENT_ACTIVE_CALLS, startedAt, attributes, series.active);
          for (const counter of Object.values(EVENT_COUNTERS))
            batch.counter(counter, startedAt, attributes, series.events.get(counter) ?? 0);
        }
      return batch.toResult(scope);
    },
  };
  return { interceptor, producer };
}

/** `mine`, then the listener the call already had, if any: the metrics never replace a caller's own. */
function alsoTell<A extends unknown[]>(mine: (...args: A) => void, theirs: ((...args: A) => void) | undefined) {
  if (theirs === undefined) return mine;
  return (...args: A): void => {
    mine(...args);
    theirs(...args);
  };
}
