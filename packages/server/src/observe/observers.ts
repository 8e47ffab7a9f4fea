import type { Channel } from '@volley/transport';
import type { ErrorCode, RequestMeta, RpcError } from '@volley/wire';
import {
  type EventAttributes,
  ObservedServerCall,
  type ServerAnswer,
  type ServerCallWatch,
  type ServerObserver,
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

/** What a call being observed carries: set by the runner before admission, cleared when it ends. */
export interface Observable {
  watch: ServerCallWatch | undefined;
  observed: ObservedServerCall | undefined;
}

/** A request being observed: what the observers are told, and their watch, until it ends. */
export interface Observation extends Observable {}

/** Starts observing a request; undefined when no observer follows it. */
export function observe(
  observer: ServerObserver,
  procedure: string | undefined,
  known: boolean,
  channel: Channel,
  requestBytes: number,
  meta: RequestMeta | undefined,
  startedAt: number,
): Observation | undefined {
  const observed = new ObservedServerCall(procedure, known, channel.kind, channel.peer, requestBytes, meta, startedAt);
  const watch = observer.onCall(observed);
  return watch === undefined ? undefined : { watch, observed };
}

/** Hands a request's observation to the call made for it. */
export function attach(call: Observable, observation: Observation | undefined): void {
  if (observation === undefined) return;
  call.watch = observation.watch;
  call.observed = observation.observed;
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
  const { watch, observed } = call;
  if (watch === undefined || observed === undefined) return;
  call.watch = undefined;
  observed.answer = answer;
  observed.code = error === undefined ? 'OK' : (error.code as ErrorCode);
  observed.error = error;
  observed.responseBytes = responseBytes;
  observed.durationMs = performance.now() - observed.startedAt;
  watch.end(observed);
}

/** Ends a request observed without a call of its own (malformed, refused for its signature). */
export function observeRefusal(
  observer: ServerObserver | undefined,
  channel: Channel,
  requestBytes: number,
  error: RpcError,
  responseBytes: number,
  startedAt: number,
): void {
  if (observer === undefined) return;
  const started = observe(observer, undefined, false, channel, requestBytes, undefined, startedAt);
  if (started !== undefined) endObservation(started, 'refused', error, responseBytes);
}
