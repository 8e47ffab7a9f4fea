import { type MetricDescriptor, VALUE_TYPE } from '@volley/wire/internal';

/**
 * Every metric `clientMetrics()` produces, as OpenTelemetry names it (Prometheus: dots as
 * underscores, `_total` after counters, `_bucket`/`_sum`/`_count` after the histogram, no unit
 * suffix). docs/observability.md lists both names.
 */

const count = (name: string, description: string) =>
  ({ name, unit: '{call}', description, valueType: VALUE_TYPE.INT }) satisfies MetricDescriptor;

export const RPC_CLIENT_DURATION = {
  name: 'rpc.client.duration',
  unit: 'ms',
  description:
    'Time from a call’s start to its result or error, every attempt, retransmission and retry included, by rpc.volley.code.',
  valueType: VALUE_TYPE.DOUBLE,
} satisfies MetricDescriptor;
export const RPC_CLIENT_REQUEST_SIZE = {
  name: 'rpc.client.request.size',
  unit: 'By',
  description: 'Bytes of each request message sent, per attempt (its last transmission).',
  valueType: VALUE_TYPE.INT,
} satisfies MetricDescriptor;
export const RPC_CLIENT_RESPONSE_SIZE = {
  name: 'rpc.client.response.size',
  unit: 'By',
  description: 'Bytes of each reply message that answered an attempt (a truncated UDP reply: the whole reply fetched).',
  valueType: VALUE_TYPE.INT,
} satisfies MetricDescriptor;
export const CLIENT_CALLS = count('volley.client.calls', 'Calls ended, by rpc.volley.code: OK or the error code.');
export const CLIENT_ACTIVE_CALLS = count('volley.client.active_calls', 'Calls started and not yet ended.');
export const CLIENT_RETRIES = count(
  'volley.client.retries',
  'Calls tried again as a new attempt (retry options, or a balanced client moving a call): attempts = calls + retries.',
);
export const CLIENT_RETRANSMISSIONS = count(
  'volley.client.retransmissions',
  'UDP requests sent again after the retransmission timeout, within one attempt.',
);
export const CLIENT_TCP_FALLBACKS = count(
  'volley.client.tcp_fallbacks',
  'UDP calls whose request was too large for a datagram and went over the TCP route.',
);
export const CLIENT_TRUNCATED_REPLIES = count(
  'volley.client.truncated_replies',
  'UDP calls answered with a truncated reply and fetched over TCP.',
);
export const CLIENT_COOKIE_CHALLENGES = count(
  'volley.client.cookie_challenges',
  'UDP calls the server answered with a cookie challenge (sent again with the cookie).',
);
