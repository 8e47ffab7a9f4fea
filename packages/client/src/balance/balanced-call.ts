import { RpcError } from '@volley/wire';
import type { CallOptions } from '../call-options.js';
import { RETRYABLE_CODES } from '../call-retry.js';

/** One call through the balancer, as its attempts after the first see it. */
export interface BalancedCall {
  readonly method: string;
  readonly input: unknown;
  readonly options: CallOptions | undefined;
  /** `performance.now()` at which the whole call, every attempt and wait included, times out. */
  readonly deadlineAt: number;
  readonly idempotent: boolean;
}

/**
 * Whether attempt `attempt` of `call`, failed with `error`, may be followed by another (the
 * client's retry budget is asked next). A call moves when it is known not to have run, or, for a
 * procedure declared idempotent, when it may have run but the endpoint was lost or too slow; never
 * past `maxAttempts`, its deadline, or its cancellation.
 */
export function isWorthAnother(error: unknown, call: BalancedCall, attempt: number, maxAttempts: number): boolean {
  if (!(error instanceof RpcError) || call.options?.signal?.aborted || attempt >= maxAttempts) return false;
  if (performance.now() >= call.deadlineAt - 1) return false;
  if (RETRYABLE_CODES.has(error.code) && error.notExecuted) return true;
  // It may have run: only a procedure that may run twice moves (Finagle and gRPC retry only those
  // too). DEADLINE_EXCEEDED before the call's deadline is the attempt's share running out, seen
  // by the client or first by the server (which enforces the deadline it was sent).
  return call.idempotent && (error.code === 'UNAVAILABLE' || error.code === 'DEADLINE_EXCEEDED');
}

/**
 * How long to wait before attempt `attempt + 1` goes to the endpoint attempt `attempt` just failed
 * on (no other is ready): `baseMs` doubled per attempt, plus up to 25 % jitter so that calls that
 * failed together do not return together.
 */
export function backOffMs(baseMs: number, attempt: number): number {
  return baseMs * 2 ** (attempt - 1) * (1 + 0.25 * Math.random());
}
