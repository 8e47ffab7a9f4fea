import {
  type Attributes,
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { isRpcError } from '@volley/wire';
import {
  ATTR_ERROR_TYPE,
  ATTR_RPC_METHOD,
  ATTR_RPC_SERVICE,
  ATTR_RPC_SYSTEM,
  ATTR_RPC_VOLLEY_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  isClientSpanError,
  RPC_SYSTEM_VOLLEY,
  toRpcNames,
  toTransportAttributes,
} from '@volley/wire/internal';
import type { CallOptions } from '../call-options.js';
import type { EventAttributes } from './call-events.js';
import type { ClientInterceptor, ClientTarget, OutgoingCall } from './interceptor.js';

/** Options for {@link clientTracing}. */
export interface ClientTracingOptions {
  /** Where spans go. Default: the global provider, the one the OpenTelemetry SDK registers. */
  tracerProvider?: TracerProvider;
}

/** The instrumentation scope spans are reported under. */
const TRACER_NAME = '@volley/client';
/**
 * Span shapes kept per client target. A client's procedure names come from its code, but
 * `client.call(name)` takes any string: past this many, names are split per call, not kept.
 */
const MAX_SHAPES_PER_TARGET = 512;

/**
 * Writes the trace context into the call's options: `traceparent` is `trace` (metadata `t`),
 * `tracestate` is `traceState` (`ts`). Only these two cross the wire: keys of other propagators
 * (B3, baggage) are dropped.
 */
const OPTIONS_SETTER: TextMapSetter<CallOptions> = {
  set(options, key, value) {
    if (key === 'traceparent') options.trace = value;
    else if (key === 'tracestate') options.traceState = value;
  },
};

/** Reads a trace context the caller put in the options itself. */
const OPTIONS_GETTER: TextMapGetter<CallOptions> = {
  get(options, key) {
    if (key === 'traceparent') return options.trace;
    if (key === 'tracestate') return options.traceState;
    return undefined;
  },
  keys: () => ['traceparent', 'tracestate'],
};

/** What every span of one procedure to one target starts with. */
interface SpanShape {
  readonly name: string;
  readonly attributes: Readonly<Attributes>;
}

/**
 * Traces every call a client makes as one OpenTelemetry CLIENT span, a child of the active
 * context, and sends its context with the request (`traceparent`/`tracestate` as the call's
 * `trace`/`traceState`, written by the globally configured propagator) so the server's span is its
 * child. Retransmissions, retries, failovers, cookie challenges and TCP fallbacks are events on
 * that one span; a caller's own `onEvent` still hears them. The span ends with the call, status
 * ERROR for every failure, Volley's code in `rpc.volley.code` (docs/observability.md#tracing).
 *
 * A `trace` the caller set itself is honoured: a valid `traceparent` becomes the span's parent
 * (and is replaced by the span's own, so the server's span joins the same trace); anything else
 * is an opaque token, sent unchanged, and the span parents on the active context.
 * @example
 * const client = createClient<AppRouter>('udp://127.0.0.1:4000', { interceptors: [clientTracing()] });
 */
export function clientTracing(options: ClientTracingOptions = {}): ClientInterceptor {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
  const shapes = new WeakMap<ClientTarget, Map<string, SpanShape>>();

  function shapeOf(call: OutgoingCall): SpanShape {
    let byProcedure = shapes.get(call.target);
    if (byProcedure === undefined) {
      byProcedure = new Map();
      shapes.set(call.target, byProcedure);
    }
    const kept = byProcedure.get(call.procedure);
    if (kept !== undefined) return kept;
    const shape = toShape(call.procedure, call.target);
    if (byProcedure.size < MAX_SHAPES_PER_TARGET) byProcedure.set(call.procedure, shape);
    return shape;
  }

  return (call, next) => {
    const callOptions = call.options;
    let parent = context.active();
    let inject = true;
    if (callOptions.trace !== undefined) {
      const given = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, callOptions, OPTIONS_GETTER));
      if (given !== undefined && isSpanContextValid(given)) parent = trace.setSpanContext(parent, given);
      else inject = false;
    }
    const shape = shapeOf(call);
    // A copy: some SDK versions (1.x) merge the sampler's attributes into the object they are given.
    const span = tracer.startSpan(shape.name, { kind: SpanKind.CLIENT, attributes: { ...shape.attributes } }, parent);
    const active = trace.setSpan(parent, span);
    if (inject) propagation.inject(active, callOptions, OPTIONS_SETTER);
    if (!span.isRecording()) return context.with(active, next, undefined, call);
    callOptions.onEvent = toSpanEvents(span, callOptions.onEvent);
    let result: Promise<unknown>;
    try {
      // Interceptors after this one, and the client itself, run with the span active.
      result = context.with(active, next, undefined, call);
    } catch (error) {
      result = Promise.reject(error);
    }
    return result.then(
      (value) => {
        span.setAttribute(ATTR_RPC_VOLLEY_CODE, 'OK');
        span.end();
        return value;
      },
      (error: unknown) => {
        endFailed(span, error);
        throw error;
      },
    );
  };
}

/** Puts a call's events on `span`, and still tells the caller's own listener. */
function toSpanEvents(
  span: Span,
  own: ((name: string, attributes?: EventAttributes) => void) | undefined,
): (name: string, attributes?: EventAttributes) => void {
  if (own === undefined) return (name, attributes) => span.addEvent(name, attributes);
  return (name, attributes) => {
    span.addEvent(name, attributes);
    own(name, attributes);
  };
}

/** Ends `span` for a call that rejected with `error`: an RpcError's code, or the error's name. */
function endFailed(span: Span, error: unknown): void {
  if (isRpcError(error)) {
    span.setAttribute(ATTR_RPC_VOLLEY_CODE, error.code);
    if (isClientSpanError(error.code)) {
      span.setAttribute(ATTR_ERROR_TYPE, error.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
  } else {
    // Not from Volley (an interceptor threw): no code to report, but the call failed all the same.
    span.setAttribute(ATTR_ERROR_TYPE, error instanceof Error ? error.name : typeof error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/**
 * A span's name and start attributes. `server.address`/`server.port` name the target as given (a
 * DNS or SRV name stays a name); a client over a list of targets has no single server to name.
 */
function toShape(procedure: string, target: ClientTarget): SpanShape {
  const names = toRpcNames(procedure);
  const attributes: Attributes = {
    [ATTR_RPC_SYSTEM]: RPC_SYSTEM_VOLLEY,
    [ATTR_RPC_METHOD]: names.method,
    ...toTransportAttributes(target.transport),
  };
  if (names.service !== undefined) attributes[ATTR_RPC_SERVICE] = names.service;
  if (!target.url.includes(',')) {
    attributes[ATTR_SERVER_ADDRESS] = target.address;
    if (target.port !== undefined) attributes[ATTR_SERVER_PORT] = target.port;
  }
  return { name: names.spanName, attributes };
}
