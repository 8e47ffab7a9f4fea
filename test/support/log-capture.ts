import { type Level, type Logger, pino } from 'pino';

/** One parsed pino line; `level` is the label (`'warn'`), not pino's number. */
export interface LogLine {
  level: Level;
  msg: string;
  [field: string]: unknown;
}

/** A pino logger that writes into memory, so tests can assert what the server said and why. */
export interface LogCapture {
  readonly logger: Logger;
  /** Every line so far, oldest first. */
  readonly lines: LogLine[];
  /** Lines whose message is exactly `msg`. */
  withMessage(msg: string): LogLine[];
}

/**
 * Creates a synchronous in-memory pino logger at `level` (default `debug`, so every line a
 * server can write is visible to assertions).
 */
export function createLogCapture(level: Level = 'debug'): LogCapture {
  const lines: LogLine[] = [];
  const logger = pino(
    { level, base: undefined, formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return {
    logger,
    lines,
    withMessage: (msg) => lines.filter((line) => line.msg === msg),
  };
}
