import { createServer } from '@volley/server';
import { createAppRouter } from '@volley/service-app';
import { pino } from 'pino';
import { type LoopbackServer, listenOnLoopback } from '../support/index.js';

/** Log lines at `error` or above that are kept whole, so a failing flood says what went wrong. */
const KEPT_ERROR_LINES = 20;

/** What a flood server's logger saw: counts only, so 200 000 lines do not inflate the RSS measured. */
export interface LogCounts {
  /** Lines per message, split by the peer's transport where the line names one (`'malformed envelope|tcp'`). */
  readonly byMessage: Map<string, number>;
  /** Lines at level `error` or `fatal`. */
  errors: number;
  /** The first few of those lines, parsed. */
  readonly errorLines: unknown[];
  count(msg: string, transport?: string): number;
}

/** A live server on 127.0.0.1 (UDP and TCP, port 0) serving the app router, logging at debug into counters. */
export interface FloodServer extends LoopbackServer {
  readonly logs: LogCounts;
}

/** pino's numeric `error` level. */
const ERROR_LEVEL = 50;

/**
 * Like `startTestServer`, but its log capture counts lines instead of keeping them: the flood
 * test measures the process RSS, and 200 000 parsed log lines held in an array would be the
 * biggest thing in it. Logging stays at debug, so the server does all the logging work it would
 * do in production (the rate-limited lines about malformed envelopes and broken streams).
 */
export async function startFloodServer(): Promise<FloodServer> {
  const byMessage = new Map<string, number>();
  const logs: LogCounts = {
    byMessage,
    errors: 0,
    errorLines: [],
    count: (msg, transport) => byMessage.get(transport === undefined ? msg : `${msg}|${transport}`) ?? 0,
  };
  const bump = (key: string) => byMessage.set(key, (byMessage.get(key) ?? 0) + 1);
  const logger = pino(
    { level: 'debug', base: undefined },
    {
      write(line: string) {
        const parsed = JSON.parse(line) as { level: number; msg: string; peer?: { transport?: string } };
        bump(parsed.msg);
        if (parsed.peer?.transport !== undefined) bump(`${parsed.msg}|${parsed.peer.transport}`);
        if (parsed.level >= ERROR_LEVEL) {
          logs.errors++;
          if (logs.errorLines.length < KEPT_ERROR_LINES) logs.errorLines.push(parsed);
        }
      },
    },
  );
  const server = createServer({ router: createAppRouter(), logger });
  return { ...(await listenOnLoopback(server)), logs };
}
