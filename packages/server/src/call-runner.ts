import { type CallResult, type CompiledRouter, dispatch } from '@volley/router';
import type { Channel } from '@volley/transport';
import { HEALTH_PROCEDURE, type RequestEnvelope, type RequestMeta, type ResponseMeta, RpcError } from '@volley/wire';
import type { Logger } from '@volley/router';
import { CallContext } from './call-context.js';
import type { CallTable } from './call-table.js';
import type { AddressValidator } from './datagram/address-validator.js';
import { MAX_TIMER_DELAY_MS } from './constants.js';
import { InFlightCall } from './in-flight-call.js';
import { logCallOutcome } from './log-call.js';
import type { LogLimiter } from './log-limiter.js';
import { replyCacheKey } from './datagram/reply-cache-key.js';
import type { ReplyCache } from './datagram/reply-cache.js';
import { META_ROOM_BYTES, type ReplySender } from './reply-sender.js';
import type { ServerStats } from './server-stats.js';

/** What the call runner needs from the server. */
export interface CallRunnerDeps {
  router: CompiledRouter;
  logger: Logger;
  /** Rate-limits the lines a hostile or careless peer can cause (one per event per window, then a count). */
  limiter: LogLimiter;
  calls: CallTable;
  cache: ReplyCache;
  replies: ReplySender;
  stats: ServerStats;
  /** Calls allowed to run at once before new ones get RESOURCE_EXHAUSTED. */
  maxInFlight: number;
  /** Calls one stream connection may have running at once. */
  maxCallsPerConnection: number;
  /** Issues and checks the cookies that lift the anti-amplification limit. */
  validator: AddressValidator;
  /** This server process's incarnation: random, non-zero, sent as `i` on every UDP reply. */
  incarnation: number;
  isDraining(): boolean;
  /** Called whenever a call leaves the table, so a draining server can notice it is idle. */
  onCallDone(): void;
}

/**
 * Runs requests to completion with at-most-once execution over UDP:
 *
 * ```
 *  request ──▶ reply cache hit? ──yes──▶ resend the kept reply (handler not run)
 *                 │ no
 *                 ▼
 *             in progress? ──yes──▶ drop (the client retransmits; the reply will come)
 *                 │ no
 *                 ▼
 *             retransmission first sent to ──yes──▶ UNAVAILABLE (may have executed), kept
 *             another incarnation (not idempotent)?
 *                 │ no
 *                 ▼
 *             draining / saturated? ──yes──▶ UNAVAILABLE / RESOURCE_EXHAUSTED (not executed)
 *                 │ no
 *                 ▼
 *             dispatch ──▶ reply (kept in the cache unless idempotent; truncated if too big)
 * ```
 */
export function createCallRunner(deps: CallRunnerDeps) {
  const { router, logger, limiter, calls, cache, replies, stats } = deps;

  function run(envelope: RequestEnvelope, channel: Channel): void {
    // One clock read per request serves the reply cache and the call's timing. The cache runs on
    // the monotonic clock: a wall-clock step cannot expire kept replies early or keep them forever.
    const arrived = performance.now();
    const meta = envelope.meta;
    // A UDP call's key (client id, msgid, credentials) costs a string and two Map lookups: ~250 ns
    // of the ~1.5 µs in-process UDP `add` call (bench/src/micro/server-loop.ts). It can only find
    // something while the reply cache or the table of running UDP calls holds an entry; otherwise
    // it is built when first needed (InFlightCall.cacheKey): to keep a reply, or to track a call
    // still running. A stream request has a key only when it fetches a truncated reply.
    const mayBeKnown = channel.mode === 'stream' || cache.size > 0 || calls.datagramCount > 0;
    const cacheKey = mayBeKnown ? replyCacheKey(channel, envelope.id, meta?.clientId, meta?.auth) : undefined;
    const replyMeta: ResponseMeta | undefined =
      channel.mode === 'datagram' && (meta?.attempt !== undefined || meta?.clientId !== undefined)
        ? { attempt: meta?.attempt, clientId: meta?.clientId, incarnation: deps.incarnation }
        : undefined;
    // Anti-amplification (RFC 9000 §8): until a UDP source shows a valid cookie, its channel
    // sends no more than 3× the bytes of its request, by any path; the cookie lifts that budget.
    if (meta?.cookie !== undefined && channel.mode === 'datagram' && deps.validator.isValid(meta.cookie, channel.peer.address)) channel.validate();
    // Only requests answered without running (cache hits, refusals) need a ReplyTarget; a call
    // that runs carries the same fields on its InFlightCall. Made on demand (a module function,
    // not a closure, which would itself cost an allocation per call).
    if (cacheKey !== undefined) {
      const kept = cache.get(cacheKey, arrived);
      if (kept !== undefined) {
        logger.debug({ id: envelope.id, attempt: meta?.attempt, transport: channel.kind }, 'answered from the reply cache');
        deliver(targetOf(channel, envelope, replyMeta, cacheKey), kept, true);
        return;
      }
    }
    if (meta?.fetchOnly) {
      // Nothing kept under this key: the call ran and its truncated reply left the cache (caps,
      // expiry, a restart) before the client came for it, or no such call ever reached this
      // server. Either way the handler is never run for a fetch, and "may have run" is all we know.
      logger.debug({ id: envelope.id, procedure: envelope.method, peer: channel.peer }, 'fetch of a reply not in the reply cache');
      const message = 'No reply is kept for this call: it may have run and its reply been evicted, or never reached this server';
      replies.sendError(channel, envelope.id, new RpcError('RESOURCE_EXHAUSTED', message, { notExecuted: false }), replyMeta);
      return;
    }
    // Over UDP, a non-idempotent call's outcome is kept, refusals included: a late duplicate of a
    // refused request must be refused too, or "not executed" would become false after the fact.
    const keepReply = channel.mode === 'datagram' && router.get(envelope.method)?.idempotent !== true;
    // One lookup of the connection's calls serves the duplicate check, its limit and its id.
    const stream = channel.mode === 'datagram' ? undefined : calls.streamOf(channel);
    if (stream ? stream.calls.get(envelope.id) !== undefined : cacheKey !== undefined && calls.get(channel, cacheKey) !== undefined) {
      stats.duplicatesDropped++;
      logger.debug({ id: envelope.id, attempt: meta?.attempt }, 'duplicate of a call in progress dropped');
      return;
    }
    // Before the drain and overload refusals: those say "not executed", which this call may not be.
    if (isFromAnotherIncarnation(meta, deps.incarnation) && router.get(envelope.method)?.idempotent !== true) {
      refuseFromAnotherIncarnation(targetOf(channel, envelope, replyMeta, cacheKey), meta?.incarnation as number, keepReply);
      return;
    }
    // `$health` keeps answering while draining: "draining" is the answer a balancer needs.
    if (deps.isDraining() && envelope.method !== HEALTH_PROCEDURE) {
      refuse(targetOf(channel, envelope, replyMeta, cacheKey), new RpcError('UNAVAILABLE', 'Server is shutting down; call not executed'), keepReply);
      return;
    }
    if (stream !== undefined && stream.calls.size >= deps.maxCallsPerConnection) {
      stats.overloadRejected++;
      limiter.log('warn', 'call limit', { conn: stream.id, procedure: envelope.method, peer: channel.peer }, 'connection at its call limit: call refused');
      const error = new RpcError('RESOURCE_EXHAUSTED', `Connection has ${deps.maxCallsPerConnection} calls in progress; retry with backoff`);
      refuse(targetOf(channel, envelope, replyMeta, cacheKey), error, false);
      return;
    }
    if (calls.size >= deps.maxInFlight) {
      stats.overloadRejected++;
      limiter.log('warn', 'saturated', { inFlight: calls.size, procedure: envelope.method, peer: channel.peer }, 'saturated: call refused');
      const error = new RpcError('RESOURCE_EXHAUSTED', `Server is saturated (${deps.maxInFlight} calls in progress); retry with backoff`);
      refuse(targetOf(channel, envelope, replyMeta, cacheKey), error, keepReply);
      return;
    }
    stats.calls++;
    const call = new InFlightCall(envelope.id, channel, stream?.id ?? 0, meta?.clientId, meta?.auth, cacheKey);
    // Node clamps timer delays above 2^31-1 ms to 1 ms: a deadline that far away means "none".
    const deadlineMs = meta?.deadlineMs !== undefined && meta.deadlineMs <= MAX_TIMER_DELAY_MS ? meta.deadlineMs : undefined;
    call.deadlineMs = deadlineMs;
    call.replyMeta = replyMeta;
    call.keepReply = keepReply;
    call.started = arrived;
    const result = dispatch(router, envelope.method, envelope.input, new CallContext(envelope.method, call, meta, logger));
    if (!(result instanceof Promise)) {
      // Finished synchronously: nothing could cancel, duplicate or outlive it, so it never enters
      // the call table and needs no deadline timer.
      reply(call, envelope.method, result);
      return;
    }
    // Still running: track it so cancels, duplicates, the deadline and a drain can find it.
    calls.add(channel, call);
    if (deadlineMs !== undefined) {
      call.timer = setTimeout(onDeadline, Math.max(0, Math.ceil(deadlineMs - (performance.now() - call.started))), call, envelope.method, deadlineMs);
    }
    result.then((outcome) => finish(call, envelope.method, outcome));
  }

  function onDeadline(call: InFlightCall, procedure: string, deadlineMs: number): void {
    stats.deadlineExceeded++;
    finishEarly(call, new RpcError('DEADLINE_EXCEEDED', `Deadline of ${deadlineMs} ms exceeded`), true);
    limiter.log('warn', 'deadline', { reqId: call.requestId, procedure, deadlineMs }, 'call exceeded its deadline');
  }

  function finish(call: InFlightCall, procedure: string, outcome: CallResult): void {
    if (call.settled) {
      logger.debug({ reqId: call.requestId }, 'result discarded: call already cancelled or past its deadline');
      return;
    }
    call.settled = true;
    clearTimeout(call.timer);
    calls.delete(call.channel, call);
    deps.onCallDone();
    reply(call, procedure, outcome);
  }

  function reply(call: InFlightCall, procedure: string, outcome: CallResult): void {
    const { channel } = call;
    let body: Buffer;
    if (outcome.ok) body = replies.encodeResult(call.id, outcome.value);
    else {
      stats.failedCalls++;
      body = replies.encodeError(call.id, outcome.error, channel.maxMessageBytes - META_ROOM_BYTES);
    }
    let kept = false;
    // The key last: reading it builds it, and most replies are neither kept nor too large.
    if ((call.keepReply || !fits(channel, body, call.replyMeta)) && call.cacheKey !== undefined) {
      kept = cache.set(call.cacheKey, body, call.deadlineMs, performance.now());
    }
    deliver(call, body, kept);
    logCallOutcome(logger, limiter, call, procedure, outcome);
  }

  /**
   * Sends a reply body, or, when it does not fit: over UDP a truncated answer if the body is in
   * the reply cache for the client's TCP fetch (DNS's TC bit); otherwise (a stream, or a reply the
   * cache could not hold) PAYLOAD_TOO_LARGE, which says the handler ran. Over UDP to a source not
   * yet validated, anything above the send budget becomes a cookie challenge instead.
   */
  function deliver(target: ReplyTarget, body: Buffer, inCache: boolean): void {
    const { channel, id, replyMeta: meta } = target;
    let datagram: Buffer;
    if (fits(channel, body, meta)) datagram = replies.withMeta(body, meta);
    else if (channel.mode === 'datagram' && inCache) {
      stats.truncatedReplies++;
      logger.debug({ reqId: target.requestId, bytes: body.length, limit: channel.maxMessageBytes }, 'reply truncated: the client fetches it over TCP');
      datagram = replies.withMeta(replies.encodeResult(id, null), { ...meta, truncated: true });
    } else {
      stats.oversizeReplies++;
      limiter.log('warn', 'reply too large', { reqId: target.requestId, bytes: body.length, limit: channel.maxMessageBytes, peer: channel.peer }, 'reply too large for the channel');
      const error = new RpcError('PAYLOAD_TOO_LARGE', `Reply of ${body.length} bytes exceeds the ${channel.maxMessageBytes}-byte ${channel.kind} limit`, {
        data: { bytes: body.length, limit: channel.maxMessageBytes },
        // The handler has run: a caller must not take this for a refusal it may safely retry.
        notExecuted: false,
      });
      const errorBody = replies.encodeError(id, error, channel.maxMessageBytes - (meta ? META_ROOM_BYTES : 0));
      // Over UDP, keep this answer in place of the reply the cache could not hold, so neither a
      // retransmission nor the retry with a cookie (an error above 3× the request) runs it again.
      const keptError = channel.mode === 'datagram' && target.cacheKey !== undefined && cache.set(target.cacheKey, errorBody, target.deadlineMs, performance.now());
      deliver(target, errorBody, keptError);
      return;
    }
    const budget = channel.mode === 'datagram' ? channel.sendBudget : Number.POSITIVE_INFINITY;
    if (datagram.length <= budget) {
      replies.sendBytes(channel, datagram);
      return;
    }
    // Too much for an unvalidated source: keep the reply (so the retry with the cookie is answered
    // without running the handler again) and send a challenge no larger than the budget.
    const keptNow = inCache || (target.cacheKey !== undefined && cache.set(target.cacheKey, body, target.deadlineMs, performance.now()));
    const challenge = replies.withMeta(replies.encodeResult(id, null), { ...meta, cookie: deps.validator.issue(channel.peer.address) });
    if (!keptNow || challenge.length > budget) {
      stats.amplificationSuppressed++;
      logger.debug({ reqId: target.requestId, bytes: datagram.length, budget, peer: channel.peer }, 'reply suppressed: unvalidated source');
      return;
    }
    stats.cookieChallenges++;
    replies.sendBytes(channel, challenge);
  }

  /** Answers a request without running it, keeping the answer for its duplicates when asked. */
  function refuse(target: ReplyTarget, error: RpcError, keep: boolean): void {
    const body = replies.encodeError(target.id, error, target.channel.maxMessageBytes - (target.replyMeta ? META_ROOM_BYTES : 0));
    const kept = keep && target.cacheKey !== undefined && cache.set(target.cacheKey, body, target.deadlineMs, performance.now());
    deliver(target, body, kept);
  }

  /**
   * A retransmission of a call first sent to another process on this address (the server
   * restarted, or another worker behind the same port): that process may have run it and its
   * reply cache is not ours, so running it here could run it twice. Refused as "may have
   * executed"; the refusal is kept like any other, so later duplicates get the same answer.
   */
  function refuseFromAnotherIncarnation(target: ReplyTarget, sentTo: number, keep: boolean): void {
    stats.incarnationRefused++;
    limiter.log('warn', 'incarnation', { id: target.id, sentTo, incarnation: deps.incarnation, peer: target.channel.peer }, 'retransmission first sent to another incarnation: not run');
    // Short: to a source without a cookie the whole reply must stay within 3× the request.
    const message = 'Server restarted since the call was first sent; it may have run before';
    refuse(target, new RpcError('UNAVAILABLE', message, { notExecuted: false }), keep);
  }

  /** Ends a call before its handler did (cancel, deadline, shutdown); fires its signal. */
  function finishEarly(call: InFlightCall, reason: RpcError, sendReply: boolean): void {
    call.settled = true;
    clearTimeout(call.timer);
    call.abort(reason);
    calls.delete(call.channel, call);
    deps.onCallDone();
    const body = replies.encodeError(call.id, reason, call.channel.maxMessageBytes - (call.replyMeta ? META_ROOM_BYTES : 0));
    // The handler may still be running: a late duplicate must get this outcome, not a second run.
    const kept = call.keepReply && call.cacheKey !== undefined && cache.set(call.cacheKey, body, call.deadlineMs, performance.now());
    if (sendReply) deliver(call, body, kept);
  }

  return {
    run,
    finishEarly,
    /** The call a cancel refers to, if it is still running. */
    find(channel: Channel, id: number, meta: RequestMeta | undefined): InFlightCall | undefined {
      return calls.get(channel, channel.mode === 'datagram' ? (replyCacheKey(channel, id, meta?.clientId, meta?.auth) as string) : id);
    },
  };
}

/** Where and how one reply goes: a running call, or a request answered without running. */
interface ReplyTarget {
  readonly channel: Channel;
  readonly id: number;
  readonly replyMeta: ResponseMeta | undefined;
  readonly cacheKey: string | undefined;
  readonly deadlineMs: number | undefined;
  readonly requestId: string | undefined;
}

/** `cacheKey` as the call runner has it: built here if it was not (a refusal may keep its answer). */
function targetOf(channel: Channel, envelope: RequestEnvelope, replyMeta: ResponseMeta | undefined, cacheKey: string | undefined): ReplyTarget {
  const { id, meta } = envelope;
  const key = cacheKey ?? replyCacheKey(channel, id, meta?.clientId, meta?.auth);
  return { channel, id, replyMeta, cacheKey: key, deadlineMs: meta?.deadlineMs, requestId: undefined };
}

/** The call runner's interface. */
export type CallRunner = ReturnType<typeof createCallRunner>;

/**
 * A retransmission (`a` ≥ 2) whose `i`, the incarnation the client knew when it first sent the
 * call, is not ours. First transmissions and calls sent before the client knew any incarnation
 * (no `i`) are not: see docs/protocol.md §5.7 for the window that leaves open.
 */
function isFromAnotherIncarnation(meta: RequestMeta | undefined, incarnation: number): boolean {
  return meta?.incarnation !== undefined && meta.incarnation !== incarnation && (meta.attempt ?? 1) >= 2;
}

function fits(channel: Channel, body: Buffer, meta: ResponseMeta | undefined): boolean {
  return body.length + (meta === undefined ? 0 : META_ROOM_BYTES) <= channel.maxMessageBytes;
}
