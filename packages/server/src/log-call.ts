import type { CallResult } from '@volley/router';
import type { Logger } from 'pino';
import type { InFlightCall } from './in-flight-call.js';

/**
 * One log line per finished call: debug when it succeeded, warn when the caller was at fault,
 * error (with the hidden cause and its stack) when the server was. The clock is read again (to
 * time the call from `call.started`) only for a line that is written.
 */
export function logCallOutcome(logger: Logger, call: InFlightCall, procedure: string, outcome: CallResult): void {
  const { channel } = call;
  if (outcome.ok) {
    // The request id string and the elapsed time are computed only when the line will be written.
    if (logger.isLevelEnabled('debug')) logger.debug({ reqId: call.requestId, procedure, transport: channel.kind, ms: round(performance.now() - call.started) }, 'call ok');
    return;
  }
  const elapsedMs = performance.now() - call.started;
  const { error } = outcome;
  const reqId = call.requestId;
  if (error.code === 'INTERNAL') {
    logger.error({ reqId, procedure, peer: channel.peer, code: error.code, err: error.cause ?? error, ms: round(elapsedMs) }, 'call failed');
  } else {
    logger.warn({ reqId, procedure, peer: channel.peer, code: error.code, message: error.message, ms: round(elapsedMs) }, 'call failed');
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
