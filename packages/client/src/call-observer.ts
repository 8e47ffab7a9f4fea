import type { RpcError } from '@volley/wire';

/**
 * Told how one call through a `ClientCore` ended, synchronously, before the caller's promise
 * settles: a balancer's bookkeeping per attempt without a second promise per call. On failure
 * the observer may take the caller's promise over (return true) and settle it later itself, with
 * the result of another attempt or the error.
 */
export interface CallObserver {
  succeeded(): void;
  failed(error: RpcError, resolve: (value: unknown) => void, reject: (error: Error) => void): boolean;
}
