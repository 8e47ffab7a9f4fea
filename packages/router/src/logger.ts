/**
 * One log method, as pino has it: structured fields first and an optional message, or a message
 * alone. The server always passes fields first; handlers may use either form through
 * `ctx.logger`, so a logger must accept both, as pino does.
 */
export interface LogFn {
  (fields: object, message?: string, ...args: unknown[]): void;
  (message: string, ...args: unknown[]): void;
}

/**
 * What Volley needs of a logger: the part of pino's API it calls, so pino, a pino child and any
 * pino-compatible logger fit without an adapter. `isLevelEnabled` lets the server skip building
 * costly log fields; without it, a string `level` with pino's level names is compared instead,
 * and without either every level counts as enabled (the logger itself then decides what to drop).
 * @example
 * const server = createServer({ router, logger: pino({ level: 'warn' }) });
 */
export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  /** A logger that adds `bindings` to every line: the server binds `reqId` and `procedure` per call. */
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled?(level: string): boolean;
  /** The current level name (`'info'`), read when `isLevelEnabled` is absent. */
  level?: string;
}
