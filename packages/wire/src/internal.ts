/**
 * @internal What the other @volley packages share with @volley/wire but users should not build
 * on: no stability promise, any release may change it. Import it as `@volley/wire/internal`; the
 * layering check lets only @volley packages (and tests) do so.
 */
export { DURATION_BOUNDARIES_MS, SIZE_BOUNDARIES_BYTES } from './constants.js';
export type { DecodeFailure } from './envelope-reader.js';
export type { HistogramSnapshot } from './fixed-histogram.js';
export { FixedHistogram } from './fixed-histogram.js';
export { FrameDecoder } from './frame-decoder.js';
export { encodeFrame, encodeFrameHeader } from './frame-encoder.js';
export { addSnapshots, emptySnapshot, quantileOf, subtractSnapshots } from './histogram-snapshot.js';
export { widenLargeIntegers } from './integer-widening.js';
export type { InputLimits } from './message-guard.js';
export { MetricBatch } from './metrics/metric-batch.js';
export type {
  CollectionResult,
  HistogramMetricData,
  MetricAttributes,
  MetricData,
  MetricDescriptor,
  MetricProducer,
  SumMetricData,
} from './metrics/metric-data.js';
export { AGGREGATION_TEMPORALITY, DATA_POINT_TYPE, VALUE_TYPE } from './metrics/metric-data.js';
export { METRIC_ATTRIBUTE, OTHER_PROCEDURE, RPC_SYSTEM, rpcAttributes } from './metrics/rpc-attributes.js';
export { MsgidTable } from './msgid-table.js';
export type { Result } from './result.js';
export { err, ok } from './result.js';
