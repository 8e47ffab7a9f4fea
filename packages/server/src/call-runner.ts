import type { Logger } from '@volley/router';
import { type CallResult, type CompiledRouter, dispatchProcedure } from '@volley/router/internal';
import { HEALTH_PROCEDURE, type RequestEnvelope, type RequestMeta, RpcError, STATS_PROCEDURE } from '@volley/wire';
import { CallContext } from './call-context.js';
import type { CallPolicy } from './call-policy.js';
import { MAX_TIMER_DELAY_MS } from './constants.js';
import type { InFlightCall } from './in-flight-call.js';
import { logCallOutcome } from './log-call.js';
import type { LogLimiter } from './log-limiter.js';
import { endObservation } from './observe/observers.js';
import type { ServerObserver } from './observe/server-observer.js';
import { META_ROOM_BYTES, type ReplySender } from './reply-sender.js';
import type { ServerStats } from './server-stats.js';

/** What the call runner needs from the server. */
export interface CallRunnerDeps {
  router: CompiledRouter;
  logger: Logger;
  /** Rate-limits the lines a hostile or careless peer can cause (one per event per window, then a count). */
  limiter: LogLimiter;
  replies: ReplySender;
  stats: ServerStats;
  /** Calls allowed to run at once before new ones get RESOURCE_EXHAUSTED. */
  maxInFlight: number;
  /** This server process's incarnation: random, non-zero, sent as `i` on every UDP reply. */
  incarnation: number;
  /** Calls running now, of every channel kind. */
  inFlight(): number;
  isDraining(): boolean;
  /** Called whenever a call leaves the table, so a draining server can notice it is idle. */
  onCallDone(): void;
  /** The server's observers as one (tracing, metrics, `$stats`), or undefined when there are none. */
  observer: ServerObserver | undefined;
}

/**
 * Runs requests to completion, the same way for every channel kind; what differs (admission,
 * the table of running calls, how replies leave) is the policy the message handler chose:
 *
 * ```
 *  request ──▶ policy.admit: kept reply, fetch or duplicate? ──yes──▶ answered or dropped there
 *                 │ no
 *                 ▼
 *             retransmission first sent to ──yes──▶ UNAVAILABLE (may have executed)
 *             another incarnation (not idempotent)?
 *                 │ no
 *                 ▼
 *             draining / connection or server saturated? ──yes──▶ UNAVAILABLE / RESOURCE_EXHAUSTED (not executed)
 *                 │ no
 *                 ▼
 *             dispatch ──▶ policy.reply
 * ```
 */
export function createCallRunner(deps: CallRunnerDeps) {
  const { router, logger, limiter, replies, stats, observer } = deps;

  /**
   * Runs one request that arrived on `channel` in `requestBytes` bytes. Every way out of here
   * ends the call's observation (when observed): a refusal below, admission's own answers in the
   * policy, the reply in {@link reply}, an early end in {@link finishEarly}.
   */
  function run<T extends InFlightCall>(
    policy: CallPolicy<T>,
    envelope: RequestEnvelope,
    channel: T['channel'],
    requestBytes: number,
  ): void {
    // One clock read per request serves the reply cache and the call's timing. The cache runs on
    // the monotonic clock: a wall-clock step cannot expire kept replies early or keep them forever.
    const arrived = performance.now();
    const { method, meta } = envelope;
    const procedure = router.get(method);
    const call = policy.admit(envelope, channel, procedure, arrived, requestBytes, observer);
    if (call === undefined) return;
    // Before the drain and overload refusals: those say "not executed", which this call may not be.
    if (isFromAnotherIncarnation(meta, deps.incarnation) && procedure?.idempotent !== true) {
      refuseFromAnotherIncarnation(policy, call, meta.incarnation);
      return;
    }
    // `$health` keeps answering while draining: "draining" is the answer a balancer needs; `$stats`
    // too, so that an operator watching a drain sees it to the end.
    if (deps.isDraining() && method !== HEALTH_PROCEDURE && method !== STATS_PROCEDURE) {
      refuse(policy, call, new RpcError('UNAVAILABLE', 'Server is shutting down; call not executed'));
      return;
    }
    const overLimit = policy.overLimit(call, method);
    if (overLimit !== undefined) {
      refuse(policy, call, overLimit);
      return;
    }
    const inFlight = deps.inFlight();
    if (inFlight >= deps.maxInFlight) {
      stats.overloadRejected++;
      limiter.log('warn', 'saturated', { inFlight, procedure: method, peer: channel.peer }, 'saturated: call refused');
      refuse(
        policy,
        call,
        new RpcError(
          'RESOURCE_EXHAUSTED',
          `Server is saturated (${deps.maxInFlight} calls in progress); retry with backoff`,
        ),
      );
      return;
    }
    stats.calls++;
    // Node clamps timer delays above 2^31-1 ms to 1 ms: a deadline that far away means "none".
    const deadlineMs =
      meta?.deadlineMs !== undefined && meta.deadlineMs <= MAX_TIMER_DELAY_MS ? meta.deadlineMs : undefined;
    call.deadlineMs = deadlineMs;
    const context = new CallContext(method, call, meta, logger);
    // An observer that traces runs the handler inside its span's context, so calls the handler
    // makes continue the trace.
    const watch = call.watch;
    const result =
      watch?.run === undefined
        ? dispatchProcedure(procedure, method, envelope.input, context)
        : watch.run(() => dispatchProcedure(procedure, method, envelope.input, context));
    if (!(result instanceof Promise)) {
      // Finished synchronously: nothing could cancel, duplicate or outlive it, so it is never
      // tracked and needs no deadline timer.
      reply(policy, call, method, result);
      return;
    }
    // Still running: track it so cancels, duplicates, the deadline and a drain can find it.
    policy.track(call);
    if (deadlineMs !== undefined) {
      call.timer = setTimeout(
        onDeadline,
        Math.max(0, Math.ceil(deadlineMs - (performance.now() - arrived))),
        policy,
        call,
        method,
      );
    }
    result.then((outcome) => finish(policy, call, method, outcome));
  }

  function onDeadline<T extends InFlightCall>(policy: CallPolicy<T>, call: T, procedure: string): void {
    stats.deadlineExceeded++;
    const deadlineMs = call.deadlineMs;
    finishEarly(policy, call, new RpcError('DEADLINE_EXCEEDED', `Deadline of ${deadlineMs} ms exceeded`), true);
    limiter.log('warn', 'deadline', { reqId: call.requestId, procedure, deadlineMs }, 'call exceeded its deadline');
  }

  function finish<T extends InFlightCall>(
    policy: CallPolicy<T>,
    call: T,
    procedure: string,
    outcome: CallResult,
  ): void {
    if (call.settled) {
      logger.debug({ reqId: call.requestId }, 'result discarded: call already cancelled or past its deadline');
      return;
    }
    call.settle();
    policy.untrack(call);
    deps.onCallDone();
    reply(policy, call, procedure, outcome);
  }

  function reply<T extends InFlightCall>(policy: CallPolicy<T>, call: T, procedure: string, outcome: CallResult): void {
    let body: Buffer;
    if (outcome.ok) body = replies.encodeResult(call.id, outcome.value);
    else {
      stats.failedCalls++;
      body = replies.encodeError(call.id, outcome.error, call.channel.maxMessageBytes - META_ROOM_BYTES);
    }
    policy.reply(call, body);
    if (call.watch !== undefined)
      endObservation(call, 'dispatched', outcome.ok ? undefined : outcome.error, body.length);
    logCallOutcome(logger, limiter, call, procedure, outcome);
  }

  /** Answers a call the server will not run with `error` (kept for its duplicates where replies are). */
  function refuse<T extends InFlightCall>(policy: CallPolicy<T>, call: T, error: RpcError): void {
    const bytes = policy.replyError(call, error, true);
    if (call.watch !== undefined) endObservation(call, 'refused', error, bytes);
  }

  /**
   * A retransmission of a call first sent to another process on this address (the server
   * restarted, or another worker behind the same port): that process may have run it and its
   * reply cache is not ours, so running it here could run it twice. Refused as "may have
   * executed"; the refusal is kept like any other, so later duplicates get the same answer.
   */
  function refuseFromAnotherIncarnation<T extends InFlightCall>(policy: CallPolicy<T>, call: T, sentTo: number): void {
    stats.incarnationRefused++;
    limiter.log(
      'warn',
      'incarnation',
      { id: call.id, sentTo, incarnation: deps.incarnation, peer: call.channel.peer },
      'retransmission first sent to another incarnation: not run',
    );
    // Short: to a source without a cookie the whole reply must stay within 3× the request.
    const message = 'Server restarted since the call was first sent; it may have run before';
    refuse(policy, call, new RpcError('UNAVAILABLE', message, { notExecuted: false }));
  }

  /** Ends a call before its handler did (cancel, deadline, shutdown); fires its signal. */
  function finishEarly<T extends InFlightCall>(
    policy: CallPolicy<T>,
    call: T,
    reason: RpcError,
    sendReply: boolean,
  ): void {
    call.settle();
    call.abort(reason);
    policy.untrack(call);
    deps.onCallDone();
    // The handler may still be running: a late duplicate must get this outcome, not a second run.
    const bytes = policy.replyError(call, reason, sendReply);
    if (call.watch !== undefined) endObservation(call, 'dispatched', reason, bytes);
  }

  return { run, finishEarly };
}

/** The call runner's interface. */
export type CallRunner = ReturnType<typeof createCallRunner>;

/**
 * A retransmission (`a` ≥ 2) whose `i`, the incarnation the client knew when it first sent the
 * call, is not ours. First transmissions and calls sent before the client knew any incarnation
 * (no `i`) are not: see docs/protocol.md §5.7 for the window that leaves open.
 */
function isFromAnotherIncarnation(
  meta: RequestMeta | undefined,
  incarnation: number,
): meta is RequestMeta & { incarnation: number } {
  return meta?.incarnation !== undefined && meta.incarnation !== incarnation && (meta.attempt ?? 1) >= 2;
}
