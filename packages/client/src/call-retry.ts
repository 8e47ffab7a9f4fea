import { RpcError } from '@volley/wire';
import type { Logger } from 'pino';
import type { RetryBudget, RetryBudgetOptions } from './balance/retry-budget.js';
import type { ClientStats } from './call-options.js';
import { RETRY_BASE_MS } from './constants.js';
import { type CallEventListener, safeListener } from './observe/call-events.js';

/**
 * Retries of calls that failed *without executing* (`notExecuted: true`) with UNAVAILABLE or
 * RESOURCE_EXHAUSTED: the server was unreachable, draining, or saturated. Safe for any procedure,
 * idempotent or not, since the call did not run. A procedure the client knows to be idempotent
 * (generated stubs carry the flag) is also retried after UNAVAILABLE that *may* have executed,
 * such as a connection lost mid-call: running it twice is harmless. Each retry is a new call (new
 * msgid) within the original deadline, after a doubling, jittered wait.
 *
 * Retries are also bounded per client by a retry budget (Finagle's `RetryBudget`, gRPC's retry
 * throttling): over 10 s, at most 20 % of the calls made plus 10 a second. When a sick server
 * refuses everything, the client adds a fifth more load instead of multiplying it by
 * `maxAttempts`; a call denied a retry fails with its own error, counted in
 * `stats.retriesDenied`.
 */
export interface RetryOptions {
  /** Total attempts, the first included (default 1: no retries). */
  maxAttempts?: number;
  /** First wait between attempts (default 50 ms). */
  baseMs?: number;
  /** The retry budget: fraction of calls, floor per second and window (defaults 0.2, 10/s, 10 s). */
  budget?: RetryBudgetOptions;
}

/** Refusals worth another attempt when the call did not run (or, idempotent, may have). */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set(['UNAVAILABLE', 'RESOURCE_EXHAUSTED']);

/** How {@link callWithRetries} runs. */
export interface RetryRun {
  retry: RetryOptions;
  /** The procedure is idempotent: retry UNAVAILABLE even when it may have executed. */
  idempotent: boolean;
  /** The whole budget: every attempt and wait fits in it. */
  timeoutMs: number;
  /** True when retrying must stop (client closed, call cancelled). */
  stop(): boolean;
  /** The client's retry budget: each call deposits, each retry withdraws. */
  budget: RetryBudget;
  /** Attempt `attempt` (2 or more) is about to follow a failure with `error`. */
  onRetry(attempt: number, error: RpcError): void;
  /** A retry the budget refused: the call fails with its error. */
  onRetryDenied(): void;
}

/** Runs `attempt` with the remaining budget until it succeeds or fails in a way not worth retrying. */
export async function callWithRetries(
  attempt: (timeoutMs: number) => Promise<unknown>,
  run: RetryRun,
): Promise<unknown> {
  const deadlineAt = performance.now() + run.timeoutMs;
  const maxAttempts = run.retry.maxAttempts ?? 1;
  const base = run.retry.baseMs ?? RETRY_BASE_MS;
  run.budget.deposit(performance.now());
  for (let n = 1; ; n++) {
    try {
      return await attempt(Math.max(0, deadlineAt - performance.now()));
    } catch (error) {
      const retryable =
        error instanceof RpcError &&
        RETRYABLE_CODES.has(error.code) &&
        (error.notExecuted || (run.idempotent && error.code === 'UNAVAILABLE'));
      const wait = base * 2 ** (n - 1) * (1 + 0.25 * Math.random());
      if (!retryable || n >= maxAttempts || run.stop() || performance.now() + wait >= deadlineAt) throw error;
      if (!run.budget.tryWithdraw(performance.now())) {
        run.onRetryDenied();
        throw error;
      }
      run.onRetry(n + 1, error);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** A client's {@link RetryRun} listeners: retries and denials counted in `stats`, each retry told to the call's `onEvent`. */
export function retryListeners(
  stats: ClientStats,
  onEvent: CallEventListener | undefined,
  logger: Logger | undefined,
): Pick<RetryRun, 'onRetry' | 'onRetryDenied'> {
  const tell = onEvent === undefined ? undefined : safeListener(onEvent, logger);
  return {
    onRetry: (attempt, error) => {
      stats.callRetries++;
      tell?.('volley.retry', { 'volley.attempt': attempt, 'volley.retry.after': error.code });
    },
    onRetryDenied: () => stats.retriesDenied++,
  };
}
