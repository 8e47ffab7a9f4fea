import { RpcError } from '@volley/wire';

/** A local error raised before anything was sent: never executed. */
export function notSent(code: 'PAYLOAD_TOO_LARGE' | 'UNAVAILABLE' | 'CLOSED' | 'CANCELLED' | 'DEADLINE_EXCEEDED', message: string, cause?: unknown): RpcError {
  return new RpcError(code, message, { local: true, notExecuted: true, cause });
}

/** Turns a failure to reach the server into an RpcError; `sent` says whether the call had left. */
export function toLocalError(error: unknown, target: string, sent = false): RpcError {
  if (error instanceof RpcError) return sent ? new RpcError(error.code, error.message, { local: true, notExecuted: false, cause: error }) : error;
  return new RpcError('UNAVAILABLE', `Cannot reach ${target}: ${(error as Error)?.message ?? String(error)}`, { local: true, notExecuted: !sent, cause: error });
}
