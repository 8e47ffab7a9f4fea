/**
 * A mistake in how the CLI was called (unknown flag, bad JSON, missing argument): printed as one
 * line, never as a stack trace, and exits with {@link EXIT.usage}.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
