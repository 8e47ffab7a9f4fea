/**
 * The shapes of OpenTelemetry's metrics SDK that a `MetricProducer` hands to a reader, declared
 * here by structure so that no @volley package depends on the SDK (an application picks the SDK
 * and its version; Volley only produces data for it). Checked against the real SDK by
 * packages/server/src/observe/server-metrics.test.ts: a change there fails that test, not a user.
 *
 * Names and numbers follow `@opentelemetry/sdk-metrics` 2.x (`export/MetricData.ts`,
 * `export/AggregationTemporality.ts`) and `@opentelemetry/api` (`ValueType`). The SDK's enums are
 * numeric, so a plain number of the same value is accepted where they are expected.
 */

/** `DataPointType` of @opentelemetry/sdk-metrics. */
export const DATA_POINT_TYPE = { HISTOGRAM: 0, EXPONENTIAL_HISTOGRAM: 1, GAUGE: 2, SUM: 3 } as const;

/** `AggregationTemporality` of @opentelemetry/sdk-metrics. Volley's producers are cumulative. */
export const AGGREGATION_TEMPORALITY = { DELTA: 0, CUMULATIVE: 1 } as const;

/** `ValueType` of @opentelemetry/api. */
export const VALUE_TYPE = { INT: 0, DOUBLE: 1 } as const;

/** Seconds since the epoch and nanoseconds within the second, as OpenTelemetry's `HrTime`. */
export type HrTime = [number, number];

/** Attribute values on a data point: OpenTelemetry's primitive attribute values. */
export type MetricAttributes = Record<string, string | number | boolean>;

/** What an instrument is: `name` as OpenTelemetry spells it (`rpc.server.duration`), UCUM `unit`. */
export interface MetricDescriptor {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly valueType: (typeof VALUE_TYPE)[keyof typeof VALUE_TYPE];
}

export interface DataPoint<T> {
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly attributes: MetricAttributes;
  readonly value: T;
}

/** An explicit-bucket histogram's value: `counts` has one more entry than `boundaries` (overflow). */
export interface HistogramValue {
  buckets: { boundaries: number[]; counts: number[] };
  sum?: number;
  count: number;
  min?: number;
  max?: number;
}

interface BaseMetricData {
  readonly descriptor: MetricDescriptor;
  readonly aggregationTemporality: (typeof AGGREGATION_TEMPORALITY)[keyof typeof AGGREGATION_TEMPORALITY];
}

export interface HistogramMetricData extends BaseMetricData {
  readonly dataPointType: typeof DATA_POINT_TYPE.HISTOGRAM;
  readonly dataPoints: DataPoint<HistogramValue>[];
}

/** A counter (`isMonotonic`) or an up-down counter. */
export interface SumMetricData extends BaseMetricData {
  readonly dataPointType: typeof DATA_POINT_TYPE.SUM;
  readonly dataPoints: DataPoint<number>[];
  readonly isMonotonic: boolean;
}

export interface GaugeMetricData extends BaseMetricData {
  readonly dataPointType: typeof DATA_POINT_TYPE.GAUGE;
  readonly dataPoints: DataPoint<number>[];
}

export type MetricData = HistogramMetricData | SumMetricData | GaugeMetricData;

/**
 * The resource a producer reports. Readers ignore it (the SDK keeps its own resource), but the
 * type requires one: an empty one, with the methods the SDK's `Resource` has.
 */
export interface ProducedResource {
  readonly attributes: MetricAttributes;
  merge(other: ProducedResource | null): ProducedResource;
  getRawAttributes(): [string, string | number | boolean | undefined][];
}

export interface ScopeMetrics {
  scope: { readonly name: string; readonly version?: string };
  metrics: MetricData[];
}

export interface CollectionResult {
  resourceMetrics: { resource: ProducedResource; scopeMetrics: ScopeMetrics[] };
  errors: unknown[];
}

/**
 * OpenTelemetry's `MetricProducer`: a source of aggregated metrics that any `MetricReader` takes
 * (`new PrometheusExporter({ metricProducers: [producer] })`,
 * `new PeriodicExportingMetricReader({ exporter, metricProducers: [producer] })`).
 */
export interface MetricProducer {
  collect(options?: { timeoutMillis?: number }): Promise<CollectionResult>;
}

/** The empty resource every Volley producer reports. */
export const EMPTY_RESOURCE: ProducedResource = {
  attributes: {},
  merge: (other) => other ?? EMPTY_RESOURCE,
  getRawAttributes: () => [],
};

/** Milliseconds since the epoch (`Date.now()`, or `performance.timeOrigin + performance.now()`) as HrTime. */
export function toHrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  // min: rounding 999.9999996 ms must not make a second of 1e9 ns.
  return [seconds, Math.min(999_999_999, Math.round((epochMs - seconds * 1000) * 1e6))];
}
