/**
 * The structural types of metric-data.ts against the real OpenTelemetry SDK: what a batch
 * produces is accepted by the SDK's types, read by a real MeterProvider's reader, and written by
 * the real Prometheus exporter as the names, labels and cumulative buckets docs/observability.md
 * promises.
 */

import { ValueType } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  type MetricProducer as SdkMetricProducer,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { FixedHistogram } from '../fixed-histogram.js';
import { MetricBatch } from './metric-batch.js';
import { AGGREGATION_TEMPORALITY, DATA_POINT_TYPE, type MetricProducer, VALUE_TYPE } from './metric-data.js';

const DURATION = { name: 'test.duration', unit: 'ms', description: 'A duration.', valueType: VALUE_TYPE.DOUBLE };
const CALLS = { name: 'test.calls', unit: '{call}', description: 'Calls.', valueType: VALUE_TYPE.INT };
const ACTIVE = { name: 'test.active', unit: '{call}', description: 'Active.', valueType: VALUE_TYPE.INT };

/** What a real PrometheusExporter on a real MeterProvider serves for `producer`. */
async function exposition(producer: MetricProducer): Promise<string> {
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [producer] });
  const provider = new MeterProvider({ readers: [exporter] });
  try {
    const { resourceMetrics, errors } = await exporter.collect();
    expect(errors).toEqual([]);
    return new PrometheusSerializer().serialize(resourceMetrics);
  } finally {
    await provider.shutdown();
  }
}

describe('metric data as the OpenTelemetry SDK has it', () => {
  it('uses the numbers of the SDK’s and the API’s enums', () => {
    expect(DATA_POINT_TYPE).toEqual({
      HISTOGRAM: DataPointType.HISTOGRAM,
      EXPONENTIAL_HISTOGRAM: DataPointType.EXPONENTIAL_HISTOGRAM,
      GAUGE: DataPointType.GAUGE,
      SUM: DataPointType.SUM,
    });
    expect(AGGREGATION_TEMPORALITY).toEqual({
      DELTA: AggregationTemporality.DELTA,
      CUMULATIVE: AggregationTemporality.CUMULATIVE,
    });
    expect(VALUE_TYPE).toEqual({ INT: ValueType.INT, DOUBLE: ValueType.DOUBLE });
  });

  it('declares a producer the SDK’s MetricProducer type accepts', () => {
    expectTypeOf<MetricProducer>().toExtend<SdkMetricProducer>();
  });
});

describe('MetricBatch through the real Prometheus exporter', () => {
  it('writes a histogram with cumulative buckets, its sum and count, and the scope as a label', async () => {
    const durations = new FixedHistogram([1, 10]);
    for (const ms of [0.5, 1, 5, 50]) durations.record(ms);
    const text = await exposition({
      async collect() {
        const batch = new MetricBatch(1_700_000_001_000);
        batch.histogram(DURATION, 1_700_000_000_000, { 'rpc.method': 'add' }, durations.snapshot());
        return batch.toResult('test-scope');
      },
    });
    expect(text).toContain('# TYPE test_duration histogram');
    expect(text).toContain('# UNIT test_duration ms');
    expect(text).toContain('test_duration_count{rpc_method="add",otel_scope_name="test-scope"} 4');
    expect(text).toContain('test_duration_sum{rpc_method="add",otel_scope_name="test-scope"} 56.5');
    expect(text).toContain('test_duration_bucket{rpc_method="add",otel_scope_name="test-scope",le="1"} 2');
    expect(text).toContain('test_duration_bucket{rpc_method="add",otel_scope_name="test-scope",le="10"} 3');
    expect(text).toContain('test_duration_bucket{rpc_method="add",otel_scope_name="test-scope",le="+Inf"} 4');
  });

  it('writes a counter as <name>_total and an up-down counter as a gauge', async () => {
    const text = await exposition({
      async collect() {
        const batch = new MetricBatch();
        batch.counter(CALLS, 0, { 'rpc.volley.code': 'OK' }, 7);
        batch.counter(CALLS, 0, { 'rpc.volley.code': 'NOT_FOUND' }, 2);
        batch.upDownCounter(ACTIVE, 0, {}, 3);
        return batch.toResult('s');
      },
    });
    expect(text).toContain('# TYPE test_calls_total counter');
    expect(text).toContain('test_calls_total{rpc_volley_code="OK",otel_scope_name="s"} 7');
    expect(text).toContain('test_calls_total{rpc_volley_code="NOT_FOUND",otel_scope_name="s"} 2');
    expect(text).toContain('# TYPE test_active gauge');
    expect(text).toContain('test_active{otel_scope_name="s"} 3');
  });

  it('refuses a second kind of metric under a name already used', () => {
    const batch = new MetricBatch();
    batch.counter(CALLS, 0, {}, 1);
    expect(() => batch.upDownCounter(CALLS, 0, {}, 1)).toThrow(TypeError);
  });
});
