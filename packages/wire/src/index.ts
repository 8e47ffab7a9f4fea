export type { Codec, CodecOptions } from './codec.js';
export { createCodec } from './codec.js';
export {
  COOKIE_BYTES,
  DEFAULT_BASE_OBJECTS,
  DEFAULT_BYTES_PER_OBJECT,
  DEFAULT_MAX_DECODE_DEPTH,
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_HEADER_BYTES,
  MAX_MSGID,
} from './constants.js';
export type {
  CancelEnvelope,
  Envelope,
  GoawayEnvelope,
  NotificationEnvelope,
  PingEnvelope,
  PongEnvelope,
  RequestEnvelope,
  RequestMeta,
  ResponseEnvelope,
  ResponseMeta,
  SignedEnvelope,
} from './envelope.js';
export { KIND } from './envelope.js';
export type { ErrorCode } from './error-codes.js';
export { ERROR_CODES, isErrorCode } from './error-codes.js';
export type { HistogramSnapshot } from './fixed-histogram.js';
export type {
  HealthReport,
  JsonSchema,
  ProcedureExample,
  ProcedureManifest,
  ServiceManifest,
  StatsReport,
  StatsSeriesReport,
} from './manifest.js';
export { DESCRIBE_PROCEDURE, HEALTH_PROCEDURE, PROTOCOL_VERSION, STATS_PROCEDURE } from './manifest.js';
export type { DecodeLimits } from './message-guard.js';
export type { PeerIdentity } from './peer-identity.js';
export type { RpcErrorOptions, WireError } from './rpc-error.js';
export { isRpcError, RpcError } from './rpc-error.js';
export type { SigningKey, SigningScope, VerifyOptions } from './signing.js';
export {
  DEFAULT_SIGNATURE_SKEW_MS,
  signatureOverheadBytes,
  signEnvelope,
  signingAudience,
  verifySignedEnvelope,
} from './signing.js';
