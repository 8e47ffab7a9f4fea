import type { TransportKind } from '@volley/transport';
import type { CallOptions } from '../call-options.js';
import type { Target } from '../discovery/target.js';

/** Where a client sends its calls, as interceptors see it: for span and metric attributes. */
export interface ClientTarget {
  /** The URL (or URLs, comma-separated) the client was created with. */
  readonly url: string;
  /** The transport of the (first) target. */
  readonly transport: TransportKind;
  /** Host name or address of the (first) target; the socket path for `unix://`, the name for `memory://`. */
  readonly address: string;
  /** Its port; undefined for SRV names (the records give one per instance), `unix://` and `memory://`. */
  readonly port: number | undefined;
}

/** One call as interceptors see it. */
export interface OutgoingCall {
  /** The dotted procedure name. */
  readonly procedure: string;
  /** The input; an interceptor may replace it before calling `next`. */
  input: unknown;
  /**
   * The call's options, a copy the interceptor may change before calling `next`: add `metadata`,
   * set `trace`/`traceState`, shorten `timeoutMs`, listen with `onEvent`.
   */
  options: CallOptions;
  readonly target: ClientTarget;
}

/** The rest of the chain: the next interceptor, or the call itself. */
export type CallNext = (call: OutgoingCall) => Promise<unknown>;

/**
 * Wraps every call a client makes (as gRPC's and Connect's interceptors do): sees it before it is
 * sent, may change it, and sees how it ended — its result, or the RpcError it rejects with,
 * failures before anything was sent included. A client over several endpoints calls it once per
 * call, around all its attempts. Return what `next` resolves to (or throw).
 * @example
 * const timing: ClientInterceptor = async (call, next) => {
 *   const started = performance.now();
 *   try { return await next(call); } finally { console.log(call.procedure, performance.now() - started); }
 * };
 */
export type ClientInterceptor = (call: OutgoingCall, next: CallNext) => Promise<unknown>;

/** The target interceptors are told of, from the parsed targets. */
export function describeTarget(url: string, targets: readonly Target[]): ClientTarget {
  const first = targets[0];
  if (first === undefined) throw new TypeError('createClient needs at least one URL');
  switch (first.kind) {
    case 'endpoint': {
      const endpoint = first.endpoint;
      if (endpoint.transport === 'unix') return { url, transport: 'unix', address: endpoint.path, port: undefined };
      if (endpoint.transport === 'memory') return { url, transport: 'memory', address: endpoint.name, port: undefined };
      return { url, transport: endpoint.transport, address: endpoint.host, port: endpoint.port };
    }
    case 'host':
      return { url, transport: first.transport, address: first.host, port: first.port };
    case 'srv':
      return { url, transport: first.transport, address: first.name, port: undefined };
  }
}

/**
 * `call` with the interceptors wrapped around it, the first outermost; `call` itself when there
 * are none, so a client without interceptors pays nothing for them.
 */
export function intercept(
  interceptors: readonly ClientInterceptor[] | undefined,
  target: ClientTarget,
  call: (procedure: string, input: unknown, options: CallOptions | undefined) => Promise<unknown>,
): (procedure: string, input: unknown, options: CallOptions | undefined) => Promise<unknown> {
  if (interceptors === undefined || interceptors.length === 0) return call;
  let chain: CallNext = (outgoing) => call(outgoing.procedure, outgoing.input, outgoing.options);
  for (let i = interceptors.length - 1; i >= 0; i--) {
    const interceptor = interceptors[i] as ClientInterceptor;
    const next = chain;
    chain = (outgoing) => {
      try {
        return interceptor(outgoing, next);
      } catch (error) {
        // A synchronous throw becomes a rejection, as from any other call.
        return Promise.reject(error);
      }
    };
  }
  const first = chain;
  return (procedure, input, options) => first({ procedure, input, options: { ...options }, target });
}
