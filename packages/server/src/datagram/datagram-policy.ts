import type { Logger } from '@volley/router';
import type { CompiledProcedure } from '@volley/router/internal';
import type { DatagramChannel } from '@volley/transport';
import type { RequestEnvelope, RequestMeta, ResponseMeta, RpcError } from '@volley/wire';
import type { DecodeFailure } from '@volley/wire/internal';
import type { CallPolicy } from '../call-policy.js';
import type { LogLimiter } from '../log-limiter.js';
import { beginObservation, endObservation } from '../observe/observers.js';
import type { ServerObserver } from '../observe/server-observer.js';
import type { ReplySender } from '../reply-sender.js';
import type { ServerStats } from '../server-stats.js';
import type { AddressValidator } from './address-validator.js';
import { AtMostOnce } from './at-most-once.js';
import { DatagramCall } from './datagram-call.js';
import { bodyLimit, DatagramReplies } from './datagram-replies.js';
import type { ReplyCache } from './reply-cache.js';
import { toCallKey } from './reply-cache-key.js';

/** What the datagram policy needs from the server. */
export interface DatagramPolicyDeps {
  cache: ReplyCache;
  /** Issues and checks the cookies that lift the anti-amplification limit. */
  validator: AddressValidator;
  /** This server process's incarnation: random, non-zero, sent as `i` on every UDP reply. */
  incarnation: number;
  replies: ReplySender;
  stats: ServerStats;
  logger: Logger;
  limiter: LogLimiter;
}

/**
 * Calls that come in datagrams, run at most once:
 *
 * ```
 *  request ──▶ reply cache hit? ──yes──▶ resend the kept reply (handler not run)
 *                 │ no
 *                 ▼
 *             a fetch? ──yes──▶ RESOURCE_EXHAUSTED, may have run (nothing kept to send)
 *                 │ no
 *                 ▼
 *             in progress? ──yes──▶ drop (the client retransmits; the reply will come)
 *                 │ no
 *                 ▼
 *             the call, to the runner (incarnation, drain and saturation checks, dispatch);
 *             its reply is kept unless the procedure is idempotent, truncated if too big
 * ```
 */
export class DatagramPolicy implements CallPolicy<DatagramCall> {
  /** The reply cache and the running calls, under one key; the stream policy reads it for fetches. */
  readonly atMostOnce: AtMostOnce;
  readonly #out: DatagramReplies;
  readonly #deps: DatagramPolicyDeps;

  constructor(deps: DatagramPolicyDeps) {
    this.#deps = deps;
    this.atMostOnce = new AtMostOnce(deps.cache);
    this.#out = new DatagramReplies({ ...deps, state: this.atMostOnce });
  }

  get size(): number {
    return this.atMostOnce.size;
  }

  admit(
    envelope: RequestEnvelope,
    channel: DatagramChannel,
    procedure: CompiledProcedure | undefined,
    arrived: number,
    requestBytes: number,
    observer: ServerObserver | undefined,
  ): DatagramCall | undefined {
    const state = this.atMostOnce;
    const meta = envelope.meta;
    const key = state.mayKnow ? toCallKey(channel.peer, envelope.id, meta?.clientId, meta?.auth) : undefined;
    // Anti-amplification (RFC 9000 §8): until a source shows a valid cookie, its channel sends no
    // more than 3× the bytes of its request, by any path; the cookie lifts that budget.
    if (meta?.cookie !== undefined && this.#deps.validator.isValid(meta.cookie, channel.peer.address))
      channel.validate();
    const replyMeta: ResponseMeta | undefined =
      meta?.attempt !== undefined || meta?.clientId !== undefined
        ? { attempt: meta?.attempt, clientId: meta?.clientId, incarnation: this.#deps.incarnation }
        : undefined;
    // A non-idempotent call's outcome is kept, refusals included (DatagramReplies.replyError).
    const call = new DatagramCall(envelope, channel, arrived, key, replyMeta, procedure?.idempotent !== true);
    if (observer !== undefined) beginObservation(call, observer, envelope.method, procedure, requestBytes, meta);
    if (key === undefined) return meta?.fetchOnly ? this.#answerFetch(call, envelope) : call;
    const kept = state.kept(key, arrived);
    if (kept !== undefined) {
      this.#deps.logger.debug(
        { id: envelope.id, attempt: meta?.attempt, transport: channel.kind },
        'answered from the reply cache',
      );
      call.watch?.event?.('volley.reply_cache.hit', { 'volley.attempt': meta?.attempt ?? 1 });
      this.#out.deliver(call, kept, true);
      if (call.watch !== undefined) endObservation(call, 'replayed', this.#deps.replies.errorOf(kept), kept.length);
      return undefined;
    }
    if (meta?.fetchOnly) return this.#answerFetch(call, envelope);
    const running = state.running(key);
    if (running !== undefined) {
      this.#deps.stats.duplicatesDropped++;
      this.#deps.logger.debug({ id: envelope.id, attempt: meta?.attempt }, 'duplicate of a call in progress dropped');
      running.watch?.event?.('volley.duplicate_dropped', { 'volley.attempt': meta?.attempt ?? 1 });
      if (call.watch !== undefined) endObservation(call, 'dropped', undefined, 0);
      return undefined;
    }
    return call;
  }

  /** A fetch of a reply that is not kept: never runs the handler (ReplySender.encodeFetchMiss). */
  #answerFetch(call: DatagramCall, envelope: RequestEnvelope): undefined {
    const { replies } = this.#deps;
    const { channel, replyMeta } = call;
    const body = replies.encodeFetchMiss(envelope, channel, bodyLimit(channel, replyMeta));
    this.#out.send(channel, replies.withMeta(body, replyMeta));
    if (call.watch !== undefined) endObservation(call, 'replayed', replies.errorOf(body), body.length);
    return undefined;
  }

  /** Datagrams have no connection, so no limit of their own: the server-wide one applies. */
  overLimit(): undefined {
    return undefined;
  }

  track(call: DatagramCall): void {
    this.atMostOnce.track(call);
  }

  untrack(call: DatagramCall): void {
    this.atMostOnce.untrack(call);
  }

  find(channel: DatagramChannel, id: number, meta: RequestMeta | undefined): DatagramCall | undefined {
    return this.atMostOnce.running(toCallKey(channel.peer, id, meta?.clientId, meta?.auth));
  }

  calls(): Iterable<DatagramCall> {
    return this.atMostOnce.calls();
  }

  reply(call: DatagramCall, body: Buffer): void {
    this.#out.reply(call, body);
  }

  replyError(call: DatagramCall, error: RpcError, send: boolean): number {
    return this.#out.replyError(call, error, send);
  }

  send(channel: DatagramChannel, bytes: Uint8Array): void {
    this.#out.send(channel, bytes);
  }

  replyMalformed(channel: DatagramChannel, failure: DecodeFailure): number {
    return this.#out.replyMalformed(channel, failure);
  }

  senderOf(channel: DatagramChannel): string {
    return `${channel.peer.address}:${channel.peer.port}`;
  }
}
