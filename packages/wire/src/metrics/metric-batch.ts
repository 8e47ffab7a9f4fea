import type { HistogramSnapshot } from '../fixed-histogram.js';
import {
  AGGREGATION_TEMPORALITY,
  type CollectionResult,
  DATA_POINT_TYPE,
  EMPTY_RESOURCE,
  type HrTime,
  type MetricAttributes,
  type MetricData,
  type MetricDescriptor,
  toHrTime,
} from './metric-data.js';

/**
 * The metrics of one collection, built point by point from counters Volley already keeps and
 * handed to OpenTelemetry as one {@link CollectionResult}. Cumulative throughout: each point
 * carries the time its counters started from (a server's start, a worker's), so a reader sees a
 * restart as a reset, as Prometheus's `rate()` expects.
 *
 * Built once per scrape, never per call: allocation here is of no concern.
 */
export class MetricBatch {
  readonly #metrics = new Map<string, MetricData>();
  readonly #endTime: HrTime;

  /** `nowMs`: the collection's time, milliseconds since the epoch. */
  constructor(nowMs: number = Date.now()) {
    this.#endTime = toHrTime(nowMs);
  }

  /** A histogram point from a snapshot; `startMs` is when its counts started (epoch ms). */
  histogram(
    descriptor: MetricDescriptor,
    startMs: number,
    attributes: MetricAttributes,
    value: HistogramSnapshot,
  ): void {
    const metric = this.#metric(descriptor, () => ({
      descriptor,
      aggregationTemporality: AGGREGATION_TEMPORALITY.CUMULATIVE,
      dataPointType: DATA_POINT_TYPE.HISTOGRAM,
      dataPoints: [],
    }));
    if (metric.dataPointType !== DATA_POINT_TYPE.HISTOGRAM)
      throw new TypeError(`${descriptor.name} is not a histogram`);
    metric.dataPoints.push({
      startTime: toHrTime(startMs),
      endTime: this.#endTime,
      attributes,
      value: {
        // Copies: the snapshot's arrays are frozen or shared, and a reader owns what it is given.
        buckets: { boundaries: value.boundaries.slice(), counts: value.counts.slice() },
        count: value.count,
        sum: value.sum,
        ...(value.count > 0 && { min: value.min, max: value.max }),
      },
    });
  }

  /** A counter's point: a total that only grows (Prometheus: `<name>_total`). */
  counter(descriptor: MetricDescriptor, startMs: number, attributes: MetricAttributes, value: number): void {
    this.#sum(descriptor, true, startMs, attributes, value);
  }

  /** An up-down counter's point: a level now, such as calls in flight (Prometheus: a gauge). */
  upDownCounter(descriptor: MetricDescriptor, startMs: number, attributes: MetricAttributes, value: number): void {
    this.#sum(descriptor, false, startMs, attributes, value);
  }

  /** Everything added, as one scope of `scopeName`; metrics without a point are left out. */
  toResult(scopeName: string, errors: unknown[] = []): CollectionResult {
    return {
      resourceMetrics: {
        resource: EMPTY_RESOURCE,
        scopeMetrics: [{ scope: { name: scopeName }, metrics: [...this.#metrics.values()] }],
      },
      errors,
    };
  }

  #sum(
    descriptor: MetricDescriptor,
    isMonotonic: boolean,
    startMs: number,
    attributes: MetricAttributes,
    value: number,
  ): void {
    const metric = this.#metric(descriptor, () => ({
      descriptor,
      aggregationTemporality: AGGREGATION_TEMPORALITY.CUMULATIVE,
      dataPointType: DATA_POINT_TYPE.SUM,
      dataPoints: [],
      isMonotonic,
    }));
    if (metric.dataPointType !== DATA_POINT_TYPE.SUM || metric.isMonotonic !== isMonotonic)
      throw new TypeError(`${descriptor.name} is not a ${isMonotonic ? 'counter' : 'up-down counter'}`);
    metric.dataPoints.push({ startTime: toHrTime(startMs), endTime: this.#endTime, attributes, value });
  }

  #metric(descriptor: MetricDescriptor, create: () => MetricData): MetricData {
    let metric = this.#metrics.get(descriptor.name);
    if (metric === undefined) {
      metric = create();
      this.#metrics.set(descriptor.name, metric);
    }
    return metric;
  }
}
