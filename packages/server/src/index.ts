export type { LogFn, Logger } from '@volley/router';
export type {
  ClusterPrimary,
  ClusterStats,
  ClusterUdpSharing,
  ClusterWorker,
  ClusterWorkerInfo,
  ServeClusterOptions,
} from './cluster/cluster-options.js';
export { serveCluster } from './cluster/serve-cluster.js';
export {
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_CLUSTER_STOP_TIMEOUT_MS,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_REPLY_CACHE_MAX_BYTES,
  DEFAULT_REPLY_CACHE_MAX_ENTRIES,
  REPLY_CACHE_SLACK_MS,
} from './constants.js';
export type { ReplyCacheOptions } from './datagram/reply-cache.js';
export { ListenError, type ListenTarget } from './listen-error.js';
export type { ListeningAddresses, ListenOptions } from './listen-options.js';
export type { CallSeriesSnapshot, CallStatsSnapshot } from './observe/call-stats.js';
export { CallStats, OTHER_PROCEDURE } from './observe/call-stats.js';
export type { ServerMetricsOptions, ServerMetricsSource } from './observe/server-metrics.js';
export { serverMetrics } from './observe/server-metrics.js';
export type {
  EventAttributes,
  ObservedServerCall,
  ServerAnswer,
  ServerCallWatch,
  ServerObserver,
} from './observe/server-observer.js';
export type { ServerSnapshot } from './observe/server-snapshot.js';
export { snapshotServer } from './observe/server-snapshot.js';
export { type ServerTracingOptions, serverTracing } from './observe/server-tracing.js';
export type { Server } from './server.js';
export { createServer } from './server.js';
export type { ServerOptions } from './server-options.js';
export type { ServerStats, WorkerIdentity } from './server-stats.js';
export type { SigningOptions } from './signing/signing-gate.js';
