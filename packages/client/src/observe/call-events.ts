import type { Logger } from 'pino';

/** Attribute values an event may carry (OpenTelemetry's primitive attribute values). */
export type EventAttributes = Readonly<Record<string, string | number | boolean>>;

/**
 * Told of what happens to one call on its way (`volley.retransmit`, `volley.cookie_challenge`,
 * `volley.reply.truncated`, `volley.tcp_fallback`, `volley.retry`; docs/observability.md), as it
 * happens. Set as a call's `onEvent` option, usually by an interceptor.
 */
export type CallEventListener = (name: string, attributes?: EventAttributes) => void;

/**
 * Told, as a call attempt ends, the bytes of its request (as last transmitted) and of the reply
 * that answered it: 0 when no reply came (a timeout, a cancel, a closed connection). Set as a
 * call's `onSizes` option, usually by an interceptor (`clientMetrics()`).
 */
export type CallSizesListener = (requestBytes: number, responseBytes: number) => void;

/**
 * `listener` made safe to call from the client's timers and socket handlers: what it throws is
 * logged, never thrown into the call it listens to (it would escape as an uncaught exception).
 */
export function safeListener(listener: CallEventListener, logger: Logger | undefined): CallEventListener {
  return (name, attributes) => {
    try {
      listener(name, attributes);
    } catch (error) {
      logger?.warn({ err: error, event: name }, 'a call event listener threw; the call went on');
    }
  };
}

/** Tells a call's `onSizes` its sizes; what it throws is logged, never thrown into the socket handler settling the call. */
export function tellSizes(
  listener: CallSizesListener,
  requestBytes: number,
  responseBytes: number,
  logger: Logger | undefined,
): void {
  try {
    listener(requestBytes, responseBytes);
  } catch (error) {
    logger?.warn({ err: error }, 'a call sizes listener threw; the call went on');
  }
}
