import type { Logger } from '@volley/router';
import type { DatagramChannel } from '@volley/transport';
import type { ResponseMeta, RpcError } from '@volley/wire';
import type { DecodeFailure } from '@volley/wire/internal';
import { noteOversizeReply } from '../log-call.js';
import type { LogLimiter } from '../log-limiter.js';
import { META_ROOM_BYTES, type ReplySender, toOversizeError } from '../reply-sender.js';
import type { ServerStats } from '../server-stats.js';
import type { AddressValidator } from './address-validator.js';
import type { AtMostOnce } from './at-most-once.js';
import type { DatagramCall } from './datagram-call.js';

/** What datagram replies need from the server. */
export interface DatagramRepliesDeps {
  replies: ReplySender;
  state: AtMostOnce;
  /** Issues the cookies that lift the anti-amplification budget. */
  validator: AddressValidator;
  stats: ServerStats;
  logger: Logger;
  limiter: LogLimiter;
}

/**
 * How a reply leaves as a datagram. Too large for one: a truncated answer when the body is kept
 * for the client's TCP fetch (DNS's TC bit), else PAYLOAD_TOO_LARGE, which says the handler ran.
 * Above the send budget of a source not yet validated (RFC 9000 §8): a cookie challenge instead.
 *
 * ```
 *  body ──▶ fits? ──no──▶ kept? ──yes──▶ truncated answer
 *             │             └──no──▶ PAYLOAD_TOO_LARGE (kept in place of the reply), from the top
 *             ▼ yes
 *          within budget? ──yes──▶ send
 *             │ no
 *             ▼
 *          kept (now), challenge within budget? ──yes──▶ cookie challenge ──no──▶ suppressed
 * ```
 */
export class DatagramReplies {
  readonly #replies: ReplySender;
  readonly #state: AtMostOnce;
  readonly #deps: DatagramRepliesDeps;

  constructor(deps: DatagramRepliesDeps) {
    this.#replies = deps.replies;
    this.#state = deps.state;
    this.#deps = deps;
  }

  /** A handler's reply: kept unless the procedure is idempotent, and whenever it does not fit. */
  reply(call: DatagramCall, body: Buffer): void {
    const { channel, replyMeta } = call;
    if (body.length <= bodyLimit(channel, replyMeta)) {
      // The common case, one fits check: the key is built only for a reply that is kept.
      const kept = call.keepReply && this.#state.keep(call, body);
      this.#send(call, this.#replies.withMeta(body, replyMeta), body, kept);
    } else this.deliver(call, body, this.#state.keep(call, body));
  }

  /**
   * An error the server decided. Kept for a call whose reply would be, refusals included: a late
   * duplicate of a refused request must be refused too, or "not executed" would become false
   * after the fact; a late duplicate of a cancelled call must not run it again.
   */
  replyError(call: DatagramCall, error: RpcError, send: boolean): number {
    const body = this.#replies.encodeError(call.id, error, bodyLimit(call.channel, call.replyMeta));
    const kept = call.keepReply && this.#state.keep(call, body);
    if (!send) return 0;
    this.deliver(call, body, kept);
    return body.length;
  }

  /** Sends `body` (`inCache`: it is kept under the call's key), or what the datagram allows instead. */
  deliver(call: DatagramCall, body: Buffer, inCache: boolean): void {
    const replies = this.#replies;
    const { channel, id, replyMeta: meta } = call;
    if (body.length <= bodyLimit(channel, meta)) {
      this.#send(call, replies.withMeta(body, meta), body, inCache);
      return;
    }
    const { stats, logger, limiter } = this.#deps;
    if (inCache) {
      stats.truncatedReplies++;
      call.watch?.event?.('volley.reply.truncated', { 'volley.reply.bytes': body.length });
      logger.debug(
        { reqId: call.requestId, bytes: body.length, limit: channel.maxMessageBytes },
        'reply truncated: the client fetches it over TCP',
      );
      this.#send(call, replies.withMeta(replies.encodeResult(id, null), { ...meta, truncated: true }), body, inCache);
      return;
    }
    noteOversizeReply(stats, limiter, call, body.length);
    const errorBody = replies.encodeError(id, toOversizeError(body.length, channel), bodyLimit(channel, meta));
    // Kept in place of the reply the cache could not hold, so neither a retransmission nor the
    // retry with a cookie (an error above 3× the request) runs it again.
    this.deliver(call, errorBody, this.#state.keep(call, errorBody));
  }

  /** Sends the `datagram` made from `body` within the source's budget, or a cookie challenge instead. */
  #send(call: DatagramCall, datagram: Buffer, body: Buffer, inCache: boolean): void {
    const { channel } = call;
    const budget = channel.sendBudget;
    if (datagram.length <= budget) {
      this.#replies.sendBytes(channel, datagram);
      return;
    }
    // Too much for an unvalidated source: keep the reply (so the retry with the cookie is answered
    // without running the handler again) and send a challenge no larger than the budget.
    const { stats, logger, validator } = this.#deps;
    const keptNow = inCache || this.#state.keep(call, body);
    const challenge = this.#replies.withMeta(this.#replies.encodeResult(call.id, null), {
      ...call.replyMeta,
      cookie: validator.issue(channel.peer.address),
    });
    if (!keptNow || challenge.length > budget) {
      stats.amplificationSuppressed++;
      call.watch?.event?.('volley.reply.suppressed', {
        'volley.reply.bytes': datagram.length,
        'volley.budget': budget,
      });
      logger.debug(
        { reqId: call.requestId, bytes: datagram.length, budget, peer: channel.peer },
        'reply suppressed: unvalidated source',
      );
      return;
    }
    stats.cookieChallenges++;
    call.watch?.event?.('volley.cookie_challenge', { 'volley.reply.bytes': datagram.length, 'volley.budget': budget });
    this.#replies.sendBytes(channel, challenge);
  }

  /**
   * Every datagram leaves within its source's anti-amplification budget: above it, a reply is
   * suppressed and counted, never sent (the channel would refuse it too; checking first keeps the
   * count in the server's stats).
   */
  send(channel: DatagramChannel, bytes: Uint8Array): void {
    if (bytes.length > channel.sendBudget) {
      this.#deps.stats.amplificationSuppressed++;
      return;
    }
    this.#deps.replies.sendBytes(channel, bytes);
  }

  /**
   * A request refused before decoding (input over its procedure's limit, or over a decode cap)
   * names its client id and attempt when they are readable: a UDP client accepts only replies
   * that echo them.
   */
  replyMalformed(channel: DatagramChannel, failure: DecodeFailure): number {
    const { replies, stats } = this.#deps;
    stats.malformedDatagrams++;
    const meta =
      failure.meta?.clientId !== undefined
        ? { attempt: failure.meta.attempt, clientId: failure.meta.clientId }
        : undefined;
    const body = replies.encodeError(failure.id ?? null, failure.error, bodyLimit(channel, meta));
    this.send(channel, replies.withMeta(body, meta));
    return body.length;
  }
}

/** The most a reply body may take: the datagram less room for the metadata it will carry. */
export function bodyLimit(channel: DatagramChannel, meta: ResponseMeta | undefined): number {
  return channel.maxMessageBytes - (meta === undefined ? 0 : META_ROOM_BYTES);
}
