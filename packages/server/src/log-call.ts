import type { Logger } from '@volley/router';
import type { CallResult } from '@volley/router/internal';
import { isCallerCaused } from '@volley/wire/internal';
import type { InFlightCall } from './in-flight-call.js';
import type { LimitedLevel, LogLimiter } from './log-limiter.js';
import type { ServerStats } from './server-stats.js';

/**
 * The level a failure with `code` logs at: error for our bugs, info for the caller's (a peer can
 * cause any number: wire's CALLER_CAUSED_CODES, which also decide a server span's status), warn
 * for the rest.
 */
export function levelOfFailure(code: string): LimitedLevel {
  if (code === 'INTERNAL') return 'error';
  return isCallerCaused(code) ? 'info' : 'warn';
}

/**
 * One log line per finished call: debug when it succeeded. A failure goes through the limiter,
 * one line per code per window plus a count (error with the hidden cause and its stack when the
 * server was at fault; info when the caller was; warn otherwise). The clock is read again (to
 * time the call from `call.started`) only for a line that is written.
 */
export function logCallOutcome(
  logger: Logger,
  limiter: LogLimiter,
  call: InFlightCall,
  procedure: string,
  outcome: CallResult,
): void {
  const { channel } = call;
  if (outcome.ok) {
    // The request id string and the elapsed time are computed only when the line will be written.
    if (limiter.enabled('debug'))
      logger.debug(
        { reqId: call.requestId, procedure, transport: channel.kind, ms: round(performance.now() - call.started) },
        'call ok',
      );
    return;
  }
  const { error } = outcome;
  const level = levelOfFailure(error.code);
  if (!limiter.enabled(level)) return;
  const fields = {
    reqId: call.requestId,
    procedure,
    peer: channel.peer,
    code: error.code,
    ms: round(performance.now() - call.started),
  };
  if (level === 'error')
    limiter.log(level, 'call failed INTERNAL', { ...fields, err: error.cause ?? error }, 'call failed');
  else limiter.log(level, `call failed ${error.code}`, { ...fields, message: error.message }, 'call failed');
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * A reply larger than its channel can carry, about to be replaced by PAYLOAD_TOO_LARGE: counted,
 * and one warning per window (a handler that always answers too much would otherwise flood).
 */
export function noteOversizeReply(stats: ServerStats, limiter: LogLimiter, call: InFlightCall, bytes: number): void {
  stats.oversizeReplies++;
  const { channel } = call;
  limiter.log(
    'warn',
    'reply too large',
    { reqId: call.requestId, bytes, limit: channel.maxMessageBytes, peer: channel.peer },
    'reply too large for the channel',
  );
}
