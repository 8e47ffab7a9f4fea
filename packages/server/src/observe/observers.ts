import type { CallerAddress } from '@volley/router';
import type { CompiledProcedure } from '@volley/router/internal';
import type { Channel, TransportKind } from '@volley/transport';
import type { ErrorCode, RequestMeta, RpcError } from '@volley/wire';
import type {
  EventAttributes,
  ObservedServerCall,
  ServerAnswer,
  ServerCallWatch,
  ServerObserver,
} from './server-observer.js';

/**
 * The server's observers as one, built once: undefined when there are none (the hot path then
 * tests one field per request), the observer itself when there is one, else a fan-out. Observers
 * in `guarded` (the ones a user passed) are isolated: what they throw from `onCall`, `event` or
 * `end` goes to `onError`, and the call goes on as if they had not been there.
 */
export function combineObservers(
  trusted: readonly ServerObserver[],
  guarded: readonly ServerObserver[],
  onError: (error: unknown) => void,
): ServerObserver | undefined {
  const observers = [...trusted, ...guarded.map((observer) => guard(observer, onError))];
  if (observers.length === 0) return undefined;
  if (observers.length === 1) return observers[0];
  return {
    onCall(call) {
      let first: ServerCallWatch | undefined;
      let rest: ServerCallWatch[] | undefined;
      for (const observer of observers) {
        const watch = observer.onCall(call);
        if (watch === undefined) continue;
        if (first === undefined) first = watch;
        else (rest ??= [first]).push(watch);
      }
      return rest === undefined ? first : new WatchGroup(rest);
    },
  };
}

/** An observer whose failures are reported, never thrown into the call it watches. */
function guard(observer: ServerObserver, onError: (error: unknown) => void): ServerObserver {
  return {
    onCall(call) {
      let watch: ServerCallWatch | undefined;
      try {
        watch = observer.onCall(call);
      } catch (error) {
        onError(error);
        return undefined;
      }
      return watch === undefined ? undefined : new GuardedWatch(watch, onError);
    },
  };
}

/** A user's watch: `event` and `end` cannot throw into the server; `run` must call its function. */
class GuardedWatch implements ServerCallWatch {
  readonly #watch: ServerCallWatch;
  readonly #onError: (error: unknown) => void;
  readonly run: (<R>(fn: () => R) => R) | undefined;

  constructor(watch: ServerCallWatch, onError: (error: unknown) => void) {
    this.#watch = watch;
    this.#onError = onError;
    this.run = watch.run?.bind(watch);
  }

  event(name: string, attributes?: EventAttributes): void {
    try {
      this.#watch.event?.(name, attributes);
    } catch (error) {
      this.#onError(error);
    }
  }

  end(call: ObservedServerCall): void {
    try {
      this.#watch.end(call);
    } catch (error) {
      this.#onError(error);
    }
  }
}

/** Several observers' watches of one call, nested for `run` and told of everything in order. */
class WatchGroup implements ServerCallWatch {
  readonly #watches: ServerCallWatch[];

  constructor(watches: ServerCallWatch[]) {
    this.#watches = watches;
  }

  run<R>(fn: () => R): R {
    let wrapped = fn;
    for (const watch of this.#watches) {
      const inner = wrapped;
      if (watch.run !== undefined) wrapped = () => (watch.run as NonNullable<ServerCallWatch['run']>)(inner);
    }
    return wrapped();
  }

  event(name: string, attributes?: EventAttributes): void {
    for (const watch of this.#watches) watch.event?.(name, attributes);
  }

  end(call: ObservedServerCall): void {
    for (const watch of this.#watches) watch.end(call);
  }
}

/**
 * A request as the server records it for observers (an InFlightCall, or a {@link RefusedMessage}):
 * what observers read, the fields the end fills in, and the watch until then.
 */
export interface Observable extends ObservedServerCall {
  procedure: string | undefined;
  known: boolean;
  requestBytes: number;
  meta: RequestMeta | undefined;
  code: 'OK' | ErrorCode;
  error: RpcError | undefined;
  responseBytes: number;
  durationMs: number;
  answer: ServerAnswer;
  /** The observers' watch from arrival to the end; undefined when none follows the call, or after. */
  watch: ServerCallWatch | undefined;
}

/**
 * Starts observing `call` (just made for a request naming `method`, the router's `procedure`
 * when it has one): fills in what observers
 * read on arrival and asks them to follow it. Nothing is allocated for observers here: the call
 * is its own record.
 */
export function beginObservation(
  call: Observable,
  observer: ServerObserver,
  method: string,
  procedure: CompiledProcedure | undefined,
  requestBytes: number,
  meta: RequestMeta | undefined,
): void {
  // The router's own string for a known name: observers keyed by name (the call statistics' Map)
  // then find it by identity, its hash already computed, instead of hashing the decoded copy.
  call.procedure = procedure === undefined ? method : procedure.path;
  call.known = procedure !== undefined;
  call.requestBytes = requestBytes;
  call.meta = meta;
  call.watch = observer.onCall(call);
}

/**
 * Ends the observation of `call`, once: later ends (a result that lost the race with a deadline,
 * say) are ignored. `error` undefined means OK.
 */
export function endObservation(
  call: Observable,
  answer: ServerAnswer,
  error: RpcError | undefined,
  responseBytes: number,
): void {
  const watch = call.watch;
  if (watch === undefined) return;
  call.watch = undefined;
  call.answer = answer;
  if (error !== undefined) {
    call.code = error.code as ErrorCode;
    call.error = error;
  }
  call.responseBytes = responseBytes;
  call.durationMs = performance.now() - call.startedAt;
  watch.end(call);
}

/** A message refused before any call was made for it (malformed, or refused for its signature). */
class RefusedMessage implements Observable {
  procedure: string | undefined = undefined;
  known = false;
  requestBytes = 0;
  meta: RequestMeta | undefined = undefined;
  code: 'OK' | ErrorCode = 'OK';
  error: RpcError | undefined = undefined;
  responseBytes = 0;
  durationMs = 0;
  answer: ServerAnswer = 'refused';
  watch: ServerCallWatch | undefined = undefined;
  readonly transport: TransportKind;
  readonly peer: CallerAddress;
  readonly startedAt: number;

  constructor(channel: Channel, startedAt: number) {
    this.transport = channel.kind;
    this.peer = channel.peer;
    this.startedAt = startedAt;
  }
}

/** Tells the observers of a message refused without a call of its own (malformed, unsigned). */
export function observeRefusal(
  observer: ServerObserver | undefined,
  channel: Channel,
  requestBytes: number,
  error: RpcError,
  responseBytes: number,
): void {
  if (observer === undefined) return;
  // Refused as it was read: it arrived now, as far as anyone can time it.
  const message = new RefusedMessage(channel, performance.now());
  message.requestBytes = requestBytes;
  message.watch = observer.onCall(message);
  endObservation(message, 'refused', error, responseBytes);
}
