/** Attribute values an event may carry (OpenTelemetry's primitive attribute values). */
export type EventAttributes = Readonly<Record<string, string | number | boolean>>;

/**
 * Told of what happens to one call on its way (`volley.retransmit`, `volley.cookie_challenge`,
 * `volley.reply.truncated`, `volley.tcp_fallback`, `volley.retry`; docs/observability.md), as it
 * happens. Set as a call's `onEvent` option, usually by an interceptor.
 */
export type CallEventListener = (name: string, attributes?: EventAttributes) => void;
