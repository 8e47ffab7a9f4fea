/**
 * The one table of error codes. Every type and doc row derives from it (docs/errors.md).
 *
 * `notExecuted: true` means that when Volley itself raises this code, the handler did not run, so
 * the caller may retry even a non-idempotent call. When such a code is raised after the handler
 * may have run (thrown by the handler, or a reply too large), the error says `notExecuted: false`
 * explicitly, on the wire too.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { notExecuted: true, description: 'The envelope or the input is malformed or fails validation.' },
  NOT_FOUND: { notExecuted: true, description: 'No procedure has this name.' },
  UNAUTHENTICATED: { notExecuted: true, description: 'The caller could not be identified.' },
  PERMISSION_DENIED: { notExecuted: true, description: 'The caller may not call this procedure.' },
  PAYLOAD_TOO_LARGE: {
    notExecuted: true,
    description:
      "A message exceeds a size limit: the frame or datagram limit, the decode limits, or a procedure's input limit.",
  },
  RESOURCE_EXHAUSTED: { notExecuted: true, description: 'The server is saturated; retry with backoff.' },
  UNAVAILABLE: {
    notExecuted: true,
    description:
      'The server could not be reached or is shutting down. Raised locally after the request was sent, the error says it may have executed.',
  },
  DEADLINE_EXCEEDED: { notExecuted: false, description: 'The deadline passed before a reply arrived.' },
  CANCELLED: { notExecuted: false, description: 'The caller cancelled the call.' },
  CLOSED: { notExecuted: false, description: 'The client was closed while the call was pending.' },
  INTERNAL: { notExecuted: false, description: 'The handler failed; details are in the server log only.' },
} as const satisfies Record<string, { notExecuted: boolean; description: string }>;

/** A code from {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** True when `value` names a code from the table. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
