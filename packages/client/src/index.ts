export type { ErrorCode } from '@volley/wire';
export { isRpcError, RpcError } from '@volley/wire';
export type { EndpointState, EndpointStats } from './balance/endpoint-stats.js';
export type { OutlierOptions } from './balance/outlier-detector.js';
export type { RetryBudgetOptions } from './balance/retry-budget.js';
export type { CallOptions, ClientStats } from './call-options.js';
export type { RetryOptions } from './call-retry.js';
export type { ProcedureFlags } from './client-core-options.js';
export type { BalancingOptions, ClientOptions } from './client-options.js';
export {
  BACKOFF_FACTOR,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_OUTSTANDING,
  DEFAULT_TIMEOUT_MS,
  INITIAL_RTO_MS,
  MAX_RETRANSMITS,
  MAX_RTO_MS,
  MIN_RTO_MS,
  RTO_JITTER,
} from './constants.js';
export { createClient } from './create-client.js';
export type { RetransmitOptions } from './datagram/retransmit-policy.js';
export type { RtoBounds } from './datagram/rtt-estimator.js';
export type { DnsResolverOptions } from './discovery/dns-resolver.js';
export type { Endpoint } from './endpoint.js';
export { parseEndpoint } from './endpoint.js';
export type { CallEventListener, CallSizesListener, EventAttributes } from './observe/call-events.js';
export type { ClientMetrics, ClientMetricsOptions } from './observe/client-metrics.js';
export { clientMetrics } from './observe/client-metrics.js';
export { type ClientTracingOptions, clientTracing } from './observe/client-tracing.js';
export type { CallNext, ClientInterceptor, ClientTarget, OutgoingCall } from './observe/interceptor.js';
export type { ReconnectOptions } from './reconnecting-connection.js';
export type { KeepaliveOptions } from './stream/keepalive.js';
export type { ClientMethods, ClientProxy, ProcedureCaller, VolleyClient } from './types.js';
