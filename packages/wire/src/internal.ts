/**
 * @internal What the other @volley packages share with @volley/wire but users should not build
 * on: no stability promise, any release may change it. Import it as `@volley/wire/internal`; the
 * layering check lets only @volley packages (and tests) do so.
 */
export { CALLER_CAUSED_CODES, isCallerCaused } from './caller-caused.js';
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
export { ATTR_VOLLEY_SERVER, ATTR_VOLLEY_WORKER, rpcAttributes } from './metrics/rpc-attributes.js';
export { MsgidTable } from './msgid-table.js';
export type { Result } from './result.js';
export { err, ok } from './result.js';
export type { RpcNames, TransportAttributes } from './telemetry-names.js';
export {
  ATTR_ERROR_TYPE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_NETWORK_TRANSPORT,
  ATTR_NETWORK_TYPE,
  ATTR_RPC_METHOD,
  ATTR_RPC_SERVICE,
  ATTR_RPC_SYSTEM,
  ATTR_RPC_VOLLEY_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_TLS_PROTOCOL_NAME,
  ATTR_VOLLEY_ANSWER,
  ATTR_VOLLEY_ATTEMPT,
  ATTR_VOLLEY_REPLY_BYTES,
  ATTR_VOLLEY_REQUEST_BYTES,
  isClientSpanError,
  isIpTransport,
  isServerSpanError,
  OTHER_PROCEDURE,
  OTHER_RPC_NAMES,
  RPC_SYSTEM_VOLLEY,
  toNetworkType,
  toRpcNames,
  toTransportAttributes,
} from './telemetry-names.js';
