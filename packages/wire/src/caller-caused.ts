import type { ErrorCode } from './error-codes.js';

/**
 * Failures the caller caused: a bad or unknown call, missing credentials or rights, a request too
 * large, its own cancel. A careless or hostile peer can produce any number of them and they say
 * nothing about the server's health, so the server logs them below `warn` and leaves its span's
 * status unset (as OpenTelemetry's gRPC conventions do for INVALID_ARGUMENT, NOT_FOUND,
 * UNAUTHENTICATED, PERMISSION_DENIED and CANCELLED on server spans).
 *
 * PAYLOAD_TOO_LARGE is here for the request that was too large; the rarer reply too large for its
 * frame (the handler's doing) shares the code and so the classification.
 */
export const CALLER_CAUSED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'BAD_REQUEST',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'PAYLOAD_TOO_LARGE',
  'CANCELLED',
]);

/** True when a failure with `code` is the caller's doing, not the server's (see {@link CALLER_CAUSED_CODES}). */
export function isCallerCaused(code: string): boolean {
  return CALLER_CAUSED_CODES.has(code as ErrorCode);
}
