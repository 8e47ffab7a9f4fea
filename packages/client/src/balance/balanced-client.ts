import type { RpcError } from '@volley/wire';
import type { CallObserver } from '../call-observer.js';
import { type CallOptions, type ClientStats, createClientStats } from '../call-options.js';
import type { RetryOptions } from '../call-retry.js';
import type { ProcedureFlags } from '../client-core-options.js';
import { DEFAULT_BALANCED_ATTEMPTS, DEFAULT_TIMEOUT_MS, RETRY_BASE_MS } from '../constants.js';
import type { Discovery } from '../discovery/discovery.js';
import { notSent } from '../local-errors.js';
import { safeListener } from '../observe/call-events.js';
import { type BalancedCall, backOffMs, isWorthAnother } from './balanced-call.js';
import type { BalancedEndpoint } from './balanced-endpoint.js';
import type { EndpointPool } from './endpoint-pool.js';
import { createLiveStats } from './live-stats.js';
import { RetryBudget } from './retry-budget.js';

/** What a {@link BalancedClient} is built from. */
export interface BalancedClientParts {
  readonly pool: EndpointPool;
  readonly discovery: Discovery;
  /** The targets as given, for error messages. */
  readonly target: string;
  readonly defaultTimeoutMs: number | undefined;
  readonly retry: RetryOptions | undefined;
  readonly procedures: Readonly<Record<string, ProcedureFlags>> | undefined;
  /** The discovery error to report when no endpoint is known. */
  lastDiscoveryError(): Error | undefined;
}

/**
 * A client over several endpoints: each call goes to one endpoint chosen by the pool (power of two
 * choices on peak-EWMA cost), through that endpoint's own engine, so a non-idempotent call's
 * retransmissions stay where it was first sent. A call moves to another endpoint only when it is
 * known not to have run (the endpoint refused it, could not be reached, or was draining), or, for
 * a procedure declared idempotent, when it may have run but failed (a connection lost, no answer
 * within its share of the deadline). Every move is a retry: within the deadline, `maxAttempts`
 * (default 3) and the client's retry budget, and counted.
 */
export class BalancedClient {
  readonly #parts: BalancedClientParts;
  readonly #pool: EndpointPool;
  readonly #budget: RetryBudget;
  readonly #own: ClientStats = createClientStats();
  readonly stats: ClientStats;
  readonly #maxAttempts: number;
  #closed = false;

  constructor(parts: BalancedClientParts) {
    this.#parts = parts;
    this.#pool = parts.pool;
    this.#budget = new RetryBudget(parts.retry?.budget);
    this.stats = createLiveStats(this.#own, parts.pool);
    this.#maxAttempts = parts.retry?.maxAttempts ?? DEFAULT_BALANCED_ATTEMPTS;
  }

  call(method: string, input: unknown, options?: CallOptions): Promise<unknown> {
    if (this.#closed) return Promise.reject(notSent('CLOSED', 'Client is closed'));
    const signal = options?.signal;
    if (signal?.aborted)
      return Promise.reject(notSent('CANCELLED', 'Call cancelled before it was sent', signal.reason));
    const now = performance.now();
    const deadlineAt = now + (options?.timeoutMs ?? this.#parts.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS);
    const idempotent = this.#parts.procedures?.[method]?.idempotent === true;
    this.#own.calls++;
    this.#budget.deposit(now);
    const endpoint = this.#pool.take(undefined);
    const call: BalancedCall = { method, input, options, deadlineAt, idempotent };
    // The usual case: an endpoint is ready and the attempt gets the whole deadline, which the
    // endpoint's core computes from the same options. The core tells the attempt how it ended
    // before settling the caller's promise, so the balancer adds no promise of its own per call
    // (its cost per call is measured in docs/performance.md); a failure worth another attempt is
    // taken over there.
    if (endpoint !== undefined && !(idempotent && this.#maxAttempts > 1 && this.#pool.hasOtherReady(endpoint)))
      return endpoint.core.call(
        method,
        input,
        options,
        new FirstAttempt(call, endpoint, now, this.#pool, this.#onFirstFailure),
      );
    return this.#attempts(call, 1, endpoint, undefined);
  }

  /** The first attempt, sent on the usual path, failed: finish it, and retry if the failure allows. */
  readonly #onFirstFailure: FirstFailure = (attempt, error, resolve, reject) => {
    this.#pool.finish(attempt.endpoint, attempt.startedAt, error);
    if (!this.#worthAnother(error, attempt.call, 1)) return false;
    this.#retryAfter(attempt.call, error, 1, attempt.endpoint, undefined).then(resolve, reject);
    return true;
  };

  /** Attempts from `attempt` on, the first of them on `endpoint` when one is already taken. */
  async #attempts(
    call: BalancedCall,
    attempt: number,
    taken: BalancedEndpoint | undefined,
    tried: Set<BalancedEndpoint> | undefined,
  ): Promise<unknown> {
    const signal = call.options?.signal;
    const endpoint =
      taken ?? this.#pool.take(tried) ?? (await this.#waitForEndpoint(call.method, call.deadlineAt, signal));
    const startedAt = performance.now();
    const remaining = call.deadlineAt - startedAt;
    // An idempotent call may move after a timeout: each attempt gets its share of what is left.
    const share =
      call.idempotent && attempt < this.#maxAttempts && this.#pool.hasOtherReady(endpoint)
        ? remaining / (this.#maxAttempts - attempt + 1)
        : remaining;
    let value: unknown;
    try {
      value = await endpoint.core.call(call.method, call.input, { ...call.options, timeoutMs: share });
    } catch (error) {
      this.#pool.finish(endpoint, startedAt, error);
      return this.#retryAfter(call, error, attempt, endpoint, tried);
    }
    this.#pool.finish(endpoint, startedAt, undefined);
    return value;
  }

  /**
   * Attempt `attempt` failed with `error` on `endpoint`: tries again (another endpoint if one is
   * ready, else the same after a backoff) when the failure allows it and the budget has a retry;
   * otherwise rejects with `error`.
   */
  async #retryAfter(
    call: BalancedCall,
    error: unknown,
    attempt: number,
    endpoint: BalancedEndpoint,
    tried: Set<BalancedEndpoint> | undefined,
  ): Promise<unknown> {
    if (!this.#worthAnother(error, call, attempt)) throw error;
    if (!this.#budget.tryWithdraw(performance.now())) {
      this.#own.retriesDenied++;
      throw error;
    }
    this.#own.callRetries++;
    const avoid = tried ?? new Set<BalancedEndpoint>();
    avoid.add(endpoint);
    // Straight to another endpoint if one is ready; back off first if only this one is.
    const failover = this.#pool.hasOtherReady(endpoint);
    const onEvent = call.options?.onEvent;
    if (onEvent !== undefined)
      safeListener(onEvent, undefined)('volley.retry', {
        'volley.attempt': attempt + 1,
        'volley.retry.after': (error as RpcError).code,
        'volley.failover': failover,
        'volley.endpoint': endpoint.url,
      });
    if (failover) this.#own.failovers++;
    else if (!(await this.#backOff(attempt, call.deadlineAt))) throw error;
    return this.#attempts(call, attempt + 1, undefined, avoid);
  }

  async notify(
    method: string,
    input: unknown,
    options?: Pick<CallOptions, 'trace' | 'traceState' | 'auth' | 'metadata'>,
  ): Promise<void> {
    if (this.#closed) throw notSent('CLOSED', 'Client is closed');
    const deadlineAt = performance.now() + (this.#parts.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS);
    const endpoint = this.#pool.take(undefined) ?? (await this.#waitForEndpoint(method, deadlineAt, undefined));
    // A notification has no outcome to weigh the endpoint by: it only borrowed the pick.
    this.#pool.release(endpoint);
    return endpoint.core.notify(method, input, options);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#parts.discovery.close();
    this.#pool.close();
  }

  /** Whether a failed attempt may be tried again (the budget is asked next). */
  #worthAnother(error: unknown, call: BalancedCall, attempt: number): boolean {
    return !this.#closed && isWorthAnother(error, call, attempt, this.#maxAttempts);
  }

  /** Waits before retrying on the endpoint just tried (no other is ready); false if the deadline would pass. */
  async #backOff(attempt: number, deadlineAt: number): Promise<boolean> {
    const wait = backOffMs(this.#parts.retry?.baseMs ?? RETRY_BASE_MS, attempt);
    if (performance.now() + wait >= deadlineAt) return false;
    await new Promise((resolve) => setTimeout(resolve, wait));
    return !this.#closed;
  }

  /**
   * No endpoint is ready: wait for one (discovery answering, a probe succeeding) until the
   * deadline. With every endpoint ejected, one is used anyway: never eject all of them.
   */
  async #waitForEndpoint(
    method: string,
    deadlineAt: number,
    signal: AbortSignal | undefined,
  ): Promise<BalancedEndpoint> {
    for (;;) {
      if (this.#closed) throw notSent('CLOSED', 'Client is closed');
      if (signal?.aborted) throw notSent('CANCELLED', 'Call cancelled before it was sent', signal.reason);
      const ready = this.#pool.take(undefined) ?? (this.#pool.probing ? undefined : this.#pool.takeAnyway());
      if (ready !== undefined) return ready;
      const discoveryError = this.#parts.lastDiscoveryError();
      if (this.#pool.size === 0 && discoveryError !== undefined)
        throw notSent(
          'UNAVAILABLE',
          `No endpoint of ${this.#parts.target} is known: ${discoveryError.message}`,
          discoveryError,
        );
      const left = deadlineAt - performance.now();
      if (left <= 0)
        throw notSent(
          'DEADLINE_EXCEEDED',
          `"${method}": no endpoint of ${this.#parts.target} was ready within the deadline${discoveryError ? ` (${discoveryError.message})` : ''}`,
        );
      await waitFor(this.#pool.changed(), left, signal);
    }
  }
}

/** What a first attempt's failure is handed to: true when it takes the caller's promise over. */
type FirstFailure = (
  attempt: FirstAttempt,
  error: RpcError,
  resolve: (value: unknown) => void,
  reject: (error: Error) => void,
) => boolean;

/** A call's first attempt on the usual path, as the endpoint's core reports its end. */
class FirstAttempt implements CallObserver {
  readonly call: BalancedCall;
  readonly endpoint: BalancedEndpoint;
  readonly startedAt: number;
  readonly #pool: EndpointPool;
  readonly #onFailure: FirstFailure;

  constructor(
    call: BalancedCall,
    endpoint: BalancedEndpoint,
    startedAt: number,
    pool: EndpointPool,
    onFailure: FirstFailure,
  ) {
    this.call = call;
    this.endpoint = endpoint;
    this.startedAt = startedAt;
    this.#pool = pool;
    this.#onFailure = onFailure;
  }

  succeeded(): void {
    this.#pool.finish(this.endpoint, this.startedAt, undefined);
  }

  failed(error: RpcError, resolve: (value: unknown) => void, reject: (error: Error) => void): boolean {
    return this.#onFailure(this, error, resolve, reject);
  }
}

/** Resolves when `change` does, `ms` pass, or `signal` aborts, whichever is first. */
function waitFor(change: Promise<void>, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    void change.then(done);
  });
}
