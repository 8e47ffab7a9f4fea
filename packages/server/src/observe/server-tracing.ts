import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { TransportKind } from '@volley/transport';
import type { RequestMeta } from '@volley/wire';
import {
  ATTR_ERROR_TYPE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_NETWORK_TYPE,
  ATTR_RPC_METHOD,
  ATTR_RPC_SERVICE,
  ATTR_RPC_SYSTEM,
  ATTR_RPC_VOLLEY_CODE,
  ATTR_VOLLEY_ANSWER,
  ATTR_VOLLEY_ATTEMPT,
  ATTR_VOLLEY_REPLY_BYTES,
  ATTR_VOLLEY_REQUEST_BYTES,
  isIpTransport,
  isServerSpanError,
  OTHER_RPC_NAMES,
  RPC_SYSTEM_VOLLEY,
  type RpcNames,
  toNetworkType,
  toRpcNames,
  toTransportAttributes,
} from '@volley/wire/internal';
import type { EventAttributes, ObservedServerCall, ServerCallWatch, ServerObserver } from './server-observer.js';

/** Options for {@link serverTracing}. */
export interface ServerTracingOptions {
  /** Where spans go. Default: the global provider, the one the OpenTelemetry SDK registers. */
  tracerProvider?: TracerProvider;
}

/** The instrumentation scope spans are reported under. */
const TRACER_NAME = '@volley/server';

/**
 * Reads the W3C trace context a request carries: metadata `t` is `traceparent`, `ts` is
 * `tracestate`. Only these two cross the wire, so a propagator that reads other keys (B3,
 * baggage) finds nothing.
 */
const META_GETTER: TextMapGetter<RequestMeta> = {
  get(meta, key) {
    if (key === 'traceparent') return meta.trace;
    if (key === 'tracestate') return meta.traceState;
    return undefined;
  },
  keys(meta) {
    return meta.traceState === undefined ? ['traceparent'] : ['traceparent', 'tracestate'];
  },
};

/** What every span of one procedure over one transport starts with. */
interface SpanShape {
  readonly name: string;
  readonly attributes: Readonly<Attributes>;
}

/**
 * Traces every call a server answers as an OpenTelemetry SERVER span, a child of the trace
 * context the request carries (`trace`/`traceState` metadata, read by the globally configured
 * propagator), named `service/method` and attributed per the RPC semantic conventions
 * (docs/observability.md#tracing). The handler runs with the span active, so calls it makes
 * with a traced client continue the trace. Without an OpenTelemetry SDK it costs a no-op span
 * per call that carries trace context, and nothing for the others.
 *
 * Messages the server could not read a procedure from (malformed or unsigned) get no span: they
 * carry no trace context to join, and a span per garbage datagram would let anyone mint root
 * traces; the server's stats and logs count them.
 * @example
 * createServer({ router, observers: [serverTracing()] });
 */
export function serverTracing(options: ServerTracingOptions = {}): ServerObserver {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
  const shapes = new SpanShapes();
  return {
    onCall(call) {
      const { procedure, meta } = call;
      if (procedure === undefined) return undefined;
      const parent = meta?.trace === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, meta, META_GETTER);
      // A name the server does not have is the peer's to choose: never a span name (`_OTHER`).
      const shape = shapes.get(call.known ? procedure : undefined, call.transport);
      // A copy: some SDK versions (1.x) merge the sampler's attributes into the object they are given.
      const attributes = { ...shape.attributes };
      const span = tracer.startSpan(
        shape.name,
        { kind: SpanKind.SERVER, startTime: call.startedAt, attributes },
        parent,
      );
      if (span.isRecording()) describeRequest(span, call);
      // Neither recorded nor part of a trace (no SDK, no context sent): nothing to do for it.
      else if (!isSpanContextValid(span.spanContext())) return undefined;
      return new ServerSpanWatch(span, trace.setSpan(parent, span));
    },
  };
}

/** The per-call attributes known on arrival: the peer, the attempt, the request's size. */
function describeRequest(span: Span, call: ObservedServerCall): void {
  const { peer, transport } = call;
  if (isIpTransport(transport)) {
    span.setAttribute(ATTR_NETWORK_PEER_ADDRESS, peer.address);
    span.setAttribute(ATTR_NETWORK_PEER_PORT, peer.port);
    span.setAttribute(ATTR_NETWORK_TYPE, toNetworkType(peer.address));
  }
  span.setAttribute(ATTR_VOLLEY_ATTEMPT, call.meta?.attempt ?? 1);
  span.setAttribute(ATTR_VOLLEY_REQUEST_BYTES, call.requestBytes);
}

/** One call's span: the handler runs in its context, events land on it, the outcome ends it. */
class ServerSpanWatch implements ServerCallWatch {
  readonly #span: Span;
  readonly #context: Context;

  constructor(span: Span, spanContext: Context) {
    this.#span = span;
    this.#context = spanContext;
  }

  run<R>(fn: () => R): R {
    return context.with(this.#context, fn);
  }

  event(name: string, attributes?: EventAttributes): void {
    if (this.#span.isRecording()) this.#span.addEvent(name, attributes);
  }

  end(call: ObservedServerCall): void {
    const span = this.#span;
    if (span.isRecording()) {
      const { code, error } = call;
      span.setAttribute(ATTR_RPC_VOLLEY_CODE, code);
      span.setAttribute(ATTR_VOLLEY_ANSWER, call.answer);
      span.setAttribute(ATTR_VOLLEY_REPLY_BYTES, call.responseBytes);
      // The caller's mistakes (NOT_FOUND, BAD_REQUEST, …) are its span's errors, not ours.
      if (isServerSpanError(code)) {
        span.setAttribute(ATTR_ERROR_TYPE, code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error?.message });
        // What the caller never sees (an INTERNAL's thrown error and its stack), as the error log has it.
        if (error?.cause instanceof Error) span.recordException(error.cause);
      }
    }
    span.end(call.startedAt + call.durationMs);
  }
}

/**
 * Span names and start attributes by transport and procedure, built once each: a server's
 * procedures are few and known (unknown names all share the `_OTHER` shape), so the map is
 * bounded by its router.
 */
class SpanShapes {
  readonly #byTransport = new Map<TransportKind, Map<string | undefined, SpanShape>>();

  /** The shape of `procedure` (undefined: one the server does not have) over `transport`. */
  get(procedure: string | undefined, transport: TransportKind): SpanShape {
    let byProcedure = this.#byTransport.get(transport);
    if (byProcedure === undefined) {
      byProcedure = new Map();
      this.#byTransport.set(transport, byProcedure);
    }
    let shape = byProcedure.get(procedure);
    if (shape === undefined) {
      shape = toShape(procedure === undefined ? OTHER_RPC_NAMES : toRpcNames(procedure), transport);
      byProcedure.set(procedure, shape);
    }
    return shape;
  }
}

function toShape(names: RpcNames, transport: TransportKind): SpanShape {
  const attributes: Attributes = {
    [ATTR_RPC_SYSTEM]: RPC_SYSTEM_VOLLEY,
    [ATTR_RPC_METHOD]: names.method,
    ...toTransportAttributes(transport),
  };
  if (names.service !== undefined) attributes[ATTR_RPC_SERVICE] = names.service;
  return { name: names.spanName, attributes };
}
