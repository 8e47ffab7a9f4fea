import type { CallResult } from '@volley/router';
import type { Channel } from '@volley/transport';
import type { Logger } from 'pino';

/**
 * One log line per finished call: debug when it succeeded, warn when the caller was at fault,
 * error (with the hidden cause and its stack) when the server was.
 */
export function logCallOutcome(logger: Logger, reqId: string, procedure: string, channel: Channel, outcome: CallResult, elapsedMs: number): void {
  if (outcome.ok) {
    if (logger.isLevelEnabled('debug')) logger.debug({ reqId, procedure, transport: channel.kind, ms: round(elapsedMs) }, 'call ok');
    return;
  }
  const { error } = outcome;
  if (error.code === 'INTERNAL') {
    logger.error({ reqId, procedure, peer: channel.peer, code: error.code, err: error.cause ?? error, ms: round(elapsedMs) }, 'call failed');
  } else {
    logger.warn({ reqId, procedure, peer: channel.peer, code: error.code, message: error.message, ms: round(elapsedMs) }, 'call failed');
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
