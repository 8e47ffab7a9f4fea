import { RpcError } from '@volley/wire';
import { describe, expect, it } from 'vitest';
import { RetryBudget } from './balance/retry-budget.js';
import { callWithRetries, type RetryRun } from './call-retry.js';

function run(
  idempotent: boolean,
  maxAttempts = 3,
  budget = new RetryBudget(),
): RetryRun & { retries: number; denied: number } {
  const state = { retries: 0, denied: 0 };
  return Object.assign(state, {
    retry: { maxAttempts, baseMs: 1 },
    idempotent,
    timeoutMs: 5000,
    stop: () => false,
    budget,
    onRetry: () => state.retries++,
    onRetryDenied: () => state.denied++,
  });
}

/** An attempt function failing with `errors` in turn, then succeeding. */
function failing(...errors: RpcError[]) {
  let n = 0;
  return async () => {
    const error = errors[n++];
    if (error) throw error;
    return 'ok';
  };
}

const lostConnection = () => new RpcError('UNAVAILABLE', 'connection lost', { notExecuted: false });
const refused = () => new RpcError('UNAVAILABLE', 'draining');

describe('callWithRetries', () => {
  it('retries a refusal that says not executed, for any procedure', async () => {
    const state = run(false);
    await expect(callWithRetries(failing(refused(), refused()), state)).resolves.toBe('ok');
    expect(state.retries).toBe(2);
  });

  it('does not retry a call that may have executed unless the procedure is idempotent', async () => {
    await expect(callWithRetries(failing(lostConnection()), run(false))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      notExecuted: false,
    });
    const idempotent = run(true);
    await expect(callWithRetries(failing(lostConnection()), idempotent)).resolves.toBe('ok');
    expect(idempotent.retries).toBe(1);
  });

  it('never retries errors the handler raised, idempotent or not', async () => {
    const handlerError = new RpcError('INTERNAL', 'boom');
    await expect(callWithRetries(failing(handlerError), run(true))).rejects.toBe(handlerError);
    const deadline = new RpcError('DEADLINE_EXCEEDED', 'late');
    await expect(callWithRetries(failing(deadline), run(true))).rejects.toBe(deadline);
  });

  it('stops at maxAttempts', async () => {
    const state = run(true, 2);
    await expect(callWithRetries(failing(refused(), refused(), refused()), state)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(state.retries).toBe(1);
  });

  it('stops retrying when the retry budget is spent, failing with the call’s own error', async () => {
    // No floor, one retry per two calls: ten refused calls earn five retries between them.
    const budget = new RetryBudget({ fraction: 0.5, minPerSecond: 0 });
    const states = Array.from({ length: 10 }, () => run(false, 2, budget));
    const outcomes = await Promise.allSettled(
      states.map((state) => callWithRetries(failing(refused(), refused()), state)),
    );
    expect(states.reduce((sum, state) => sum + state.retries, 0)).toBe(5);
    expect(states.reduce((sum, state) => sum + state.denied, 0)).toBe(5);
    for (const outcome of outcomes)
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'UNAVAILABLE', message: 'draining' } });
  });
});
