import type { CallerAddress } from '@volley/router';
import type { TransportKind } from '@volley/transport';
import type { ErrorCode, RequestMeta, RpcError } from '@volley/wire';

/**
 * How a request was answered:
 * - `dispatched`: it went to the router (lookup, input validation, middleware, handler, output
 *   validation), whatever the outcome: NOT_FOUND and invalid input (BAD_REQUEST) included, and a
 *   call cancelled, past its deadline or abandoned by its connection while running;
 * - `refused`: the server said no before dispatch (draining, saturated, a connection at its call
 *   limit, a retransmission from another incarnation, a malformed or unsigned message);
 * - `replayed`: a retransmission answered from the reply cache, or a fetch of a truncated reply
 *   (the handler did not run for it);
 * - `dropped`: a retransmission of a call still running, dropped (its reply will answer it).
 */
export type ServerAnswer = 'dispatched' | 'refused' | 'replayed' | 'dropped';

/** Attribute values an event may carry (OpenTelemetry's primitive attribute values). */
export type EventAttributes = Readonly<Record<string, string | number | boolean>>;

/**
 * One request as an observer sees it, from arrival to its answer: the server's own record of the
 * call (nothing is copied for observers), filled in as the call ends. Observers read it during
 * `onCall`, `event` and `end`; copy what you keep after `end`.
 */
export interface ObservedServerCall {
  /**
   * The procedure the request named, or undefined when the message could not be read that far
   * (malformed, or refused unsigned). Untrusted: see {@link known}.
   */
  readonly procedure: string | undefined;
  /**
   * True when the server has `procedure`. An unknown name is whatever a peer sent: metrics and
   * span names must not use it as a label (OpenTelemetry's `_OTHER`).
   */
  readonly known: boolean;
  readonly transport: TransportKind;
  readonly peer: CallerAddress;
  /** Bytes of the request message (the datagram, or the frame's payload). */
  readonly requestBytes: number;
  /** The request's metadata as sent: deadline, attempt, trace context, … */
  readonly meta: RequestMeta | undefined;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** `OK`, or the code of the error the caller was (or would have been) sent. Set at the end. */
  readonly code: 'OK' | ErrorCode;
  /** The error, when `code` is not `OK`. */
  readonly error: RpcError | undefined;
  /** Bytes of the reply body (before any truncation or cookie challenge); 0 when nothing was sent. */
  readonly responseBytes: number;
  /** Milliseconds from arrival to the answer. */
  readonly durationMs: number;
  readonly answer: ServerAnswer;
}

/**
 * Follows one call for one observer: told of what happened on the way (a reply-cache hit, a
 * truncated reply, a cookie challenge) and, once, of its end. An observer may return the same
 * watch for every call when it keeps nothing per call.
 */
export interface ServerCallWatch {
  /**
   * Runs the call's middleware and handler inside this watch's context, so that what the handler
   * does (a call to another service, a log line) continues it: a tracing observer makes its span
   * the active OpenTelemetry context here. Not called for calls refused before dispatch.
   */
  run?<R>(fn: () => R): R;
  /** Something happened to the call: names are `volley.*` (docs/observability.md). */
  event?(name: string, attributes?: EventAttributes): void;
  /** The call was answered (or abandoned); `call` holds the outcome. Called exactly once. */
  end(call: ObservedServerCall): void;
}

/**
 * Sees every request a server receives, including those refused before any handler runs
 * (NOT_FOUND, BAD_REQUEST, UNAUTHENTICATED, RESOURCE_EXHAUSTED, UNAVAILABLE while draining) and
 * retransmissions answered from the reply cache. Tracing, metrics and `$stats` are observers.
 *
 * `onCall` runs on the hot path of every request: keep it cheap, and return undefined for calls
 * the observer does not follow.
 */
export interface ServerObserver {
  onCall(call: ObservedServerCall): ServerCallWatch | undefined;
}
