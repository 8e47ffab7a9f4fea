import { type MetricDescriptor, VALUE_TYPE } from '@volley/wire/internal';

/**
 * Every metric `serverMetrics()` produces, as OpenTelemetry names it. The RPC histograms carry
 * the semantic conventions' names (v1.37) and units; the rest are `volley.server.*`. Prometheus
 * sees dots as underscores, `_total` after a counter and `_bucket`/`_sum`/`_count` after a
 * histogram, and no unit suffix (the exporter puts the unit on a `# UNIT` line only):
 * docs/observability.md lists both names.
 */

const histogram = (
  name: string,
  unit: string,
  description: string,
  valueType: MetricDescriptor['valueType'] = VALUE_TYPE.INT,
) => ({ name, unit, description, valueType }) satisfies MetricDescriptor;
const count = (name: string, unit: string, description: string) =>
  ({ name, unit, description, valueType: VALUE_TYPE.INT }) satisfies MetricDescriptor;

// Per procedure and transport (from CallStats).

export const RPC_SERVER_DURATION = histogram(
  'rpc.server.duration',
  'ms',
  'Time from a request’s arrival to its answer, for calls run or refused (not retransmissions answered from the reply cache).',
  VALUE_TYPE.DOUBLE,
);
export const RPC_SERVER_REQUEST_SIZE = histogram(
  'rpc.server.request.size',
  'By',
  'Bytes of each request message (the datagram, or the frame’s payload).',
);
export const RPC_SERVER_RESPONSE_SIZE = histogram(
  'rpc.server.response.size',
  'By',
  'Bytes of each reply body, before any truncation or cookie challenge.',
);
export const SERVER_CALLS = count(
  'volley.server.calls',
  '{call}',
  'Requests answered, by rpc.volley.code: OK, or the error code sent (refusals before the handler included).',
);
export const SERVER_ACTIVE_CALLS = count('volley.server.active_calls', '{call}', 'Calls running now.');
export const SERVER_REPLAYED = count(
  'volley.server.replayed',
  '{request}',
  'UDP retransmissions answered from the reply cache, and fetches of truncated replies: the handler did not run again.',
);
export const SERVER_DROPPED = count(
  'volley.server.dropped',
  '{request}',
  'UDP retransmissions of a call still running, dropped: its reply answers them.',
);

// Per server (from server.stats).

export const REPLY_CACHE_HITS = count(
  'volley.server.reply_cache.hits',
  '{reply}',
  'Retransmissions the UDP reply cache answered without running the handler.',
);
export const REPLY_CACHE_EVICTIONS = count(
  'volley.server.reply_cache.evictions',
  '{reply}',
  'Replies dropped from the UDP reply cache before expiry to stay within its caps.',
);
export const REPLY_CACHE_ENTRIES = count('volley.server.reply_cache.entries', '{reply}', 'Replies in the cache now.');
export const REPLY_CACHE_SIZE = count(
  'volley.server.reply_cache.size',
  'By',
  'Bytes the reply cache holds now, as counted against its cap.',
);
export const AMPLIFICATION_SUPPRESSED = count(
  'volley.server.amplification.suppressed',
  '{reply}',
  'UDP replies not sent because they would have amplified a datagram from an unvalidated address.',
);
export const COOKIE_CHALLENGES = count(
  'volley.server.cookie_challenges',
  '{reply}',
  'UDP replies above 3× the request to an unvalidated address, answered with a cookie challenge instead.',
);
export const TRUNCATED_REPLIES = count(
  'volley.server.truncated_replies',
  '{reply}',
  'UDP replies too large for a datagram, answered truncated (the client fetches them over TCP).',
);
export const CONNECTIONS = count('volley.server.connections', '{connection}', 'Stream connections open now.');
export const CONNECTIONS_REFUSED = count(
  'volley.server.connections.refused',
  '{connection}',
  'Stream connections turned away before they carried a frame, by error.type: MAX_CONNECTIONS or HANDSHAKE_TIMEOUT.',
);
export const GOAWAYS = count(
  'volley.server.goaways',
  '{message}',
  'Goaway messages sent: one per stream connection open when the server began to drain.',
);

// Per cluster (from the primary's supervision counters).

export const CLUSTER_WORKER_EXITS = count(
  'volley.cluster.worker_exits',
  '{process}',
  'Worker processes that exited while the cluster was serving (crashes, kills).',
);
export const CLUSTER_RESTARTS = count('volley.cluster.restarts', '{process}', 'Replacement workers forked.');
