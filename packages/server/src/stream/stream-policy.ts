import type { Logger } from '@volley/router';
import type { CompiledProcedure } from '@volley/router/internal';
import type { Channel, StreamChannel } from '@volley/transport';
import { type RequestEnvelope, type RequestMeta, RpcError } from '@volley/wire';
import { type DecodeFailure, MsgidTable } from '@volley/wire/internal';
import type { CallPolicy } from '../call-policy.js';
import { noteOversizeReply } from '../log-call.js';
import type { LogLimiter } from '../log-limiter.js';
import { beginObservation, endObservation } from '../observe/observers.js';
import type { ServerObserver } from '../observe/server-observer.js';
import { type ReplySender, toOversizeError } from '../reply-sender.js';
import type { ServerStats } from '../server-stats.js';
import { StreamCall, type StreamConnection } from './stream-call.js';

/**
 * Replies the datagram path keeps: a client whose UDP reply was truncated fetches it over a
 * stream, under the key the call had over UDP (its client id and msgid).
 */
export interface KeptReplies {
  /** The reply kept for `envelope`, if any; `now` is `performance.now()`. */
  keptFor(channel: Channel, envelope: RequestEnvelope, now: number): Buffer | undefined;
}

/** What the stream policy needs from the server. */
export interface StreamPolicyDeps {
  replies: ReplySender;
  stats: ServerStats;
  logger: Logger;
  limiter: LogLimiter;
  /** Calls one connection may have running at once. */
  maxCallsPerConnection: number;
  /** Where fetches of truncated UDP replies are answered from; none without a datagram path. */
  kept?: KeptReplies;
}

/**
 * Calls that come on stream connections. A connection owns its calls, by msgid; its peer proved
 * its address in the handshake and frames are large, so a reply is sent as it is, or replaced by
 * PAYLOAD_TOO_LARGE when it exceeds the frame limit. Nothing is kept for duplicates: a stream
 * does not duplicate, and a client retrying on a new connection gets a new call.
 */
export class StreamPolicy implements CallPolicy<StreamCall> {
  readonly #connections = new Map<StreamChannel, StreamConnection>();
  readonly #deps: StreamPolicyDeps;
  #nextConnectionId = 1;
  #size = 0;

  constructor(deps: StreamPolicyDeps) {
    this.#deps = deps;
  }

  get size(): number {
    return this.#size;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  open(channel: StreamChannel): StreamConnection {
    const connection: StreamConnection = { id: this.#nextConnectionId++, calls: new MsgidTable(), closed: false };
    this.#connections.set(channel, connection);
    return connection;
  }

  /** Forgets a connection and returns the calls it still had running. */
  close(channel: StreamChannel): StreamCall[] {
    const connection = this.#connections.get(channel);
    if (!connection) return [];
    this.#connections.delete(channel);
    connection.closed = true;
    this.#size -= connection.calls.size;
    return connection.calls.values();
  }

  connectionOf(channel: StreamChannel): StreamConnection | undefined {
    return this.#connections.get(channel);
  }

  /** Every open connection (for goaway on close). */
  channels(): IterableIterator<StreamChannel> {
    return this.#connections.keys();
  }

  admit(
    envelope: RequestEnvelope,
    channel: StreamChannel,
    procedure: CompiledProcedure | undefined,
    arrived: number,
    requestBytes: number,
    observer: ServerObserver | undefined,
  ): StreamCall | undefined {
    const { replies, logger, stats } = this.#deps;
    // One lookup of the connection serves the duplicate check, its limit and its id. A channel
    // the transport never opened gets a table of its own, outside the connections.
    const connection = this.#connections.get(channel) ?? { id: 0, calls: new MsgidTable(), closed: false };
    const call = new StreamCall(envelope.id, channel, arrived, connection);
    if (observer !== undefined)
      beginObservation(call, observer, envelope.method, procedure, requestBytes, envelope.meta);
    // Only a request carrying a client id can name a kept reply.
    const kept =
      envelope.meta?.clientId === undefined ? undefined : this.#deps.kept?.keptFor(channel, envelope, arrived);
    if (kept !== undefined) {
      logger.debug(
        { id: envelope.id, attempt: envelope.meta?.attempt, transport: channel.kind },
        'answered from the reply cache',
      );
      call.watch?.event?.('volley.reply_cache.hit', { 'volley.fetch': true });
      this.#deliver(call, kept);
      if (call.watch !== undefined) endObservation(call, 'replayed', replies.errorOf(kept), kept.length);
      return undefined;
    }
    if (envelope.meta?.fetchOnly) {
      const body = replies.encodeFetchMiss(envelope, channel, channel.maxMessageBytes);
      replies.sendBytes(channel, body);
      if (call.watch !== undefined) endObservation(call, 'replayed', replies.errorOf(body), body.length);
      return undefined;
    }
    if (connection.calls.get(envelope.id) !== undefined) {
      stats.duplicatesDropped++;
      logger.debug({ id: envelope.id, attempt: envelope.meta?.attempt }, 'duplicate of a call in progress dropped');
      if (call.watch !== undefined) endObservation(call, 'dropped', undefined, 0);
      return undefined;
    }
    return call;
  }

  /** Keeps one greedy connection from taking the whole server's `maxInFlight`. */
  overLimit(call: StreamCall, procedure: string): RpcError | undefined {
    const { connection, channel } = call;
    const max = this.#deps.maxCallsPerConnection;
    if (connection.calls.size < max) return undefined;
    this.#deps.stats.overloadRejected++;
    this.#deps.limiter.log(
      'warn',
      'call limit',
      { conn: connection.id, procedure, peer: channel.peer },
      'connection at its call limit: call refused',
    );
    return new RpcError('RESOURCE_EXHAUSTED', `Connection has ${max} calls in progress; retry with backoff`);
  }

  track(call: StreamCall): void {
    call.connection.calls.set(call.id, call);
    this.#size++;
  }

  untrack(call: StreamCall): void {
    const { connection } = call;
    if (connection.closed || connection.calls.get(call.id) !== call) return;
    connection.calls.delete(call.id);
    this.#size--;
  }

  find(channel: StreamChannel, id: number, _meta: RequestMeta | undefined): StreamCall | undefined {
    return this.#connections.get(channel)?.calls.get(id);
  }

  *calls(): Generator<StreamCall> {
    for (const connection of this.#connections.values()) yield* connection.calls.values();
  }

  reply(call: StreamCall, body: Buffer): void {
    this.#deliver(call, body);
  }

  replyError(call: StreamCall, error: RpcError, send: boolean): number {
    if (!send) return 0;
    const body = this.#deps.replies.encodeError(call.id, error, call.channel.maxMessageBytes);
    this.#deliver(call, body);
    return body.length;
  }

  send(channel: StreamChannel, bytes: Uint8Array): void {
    this.#deps.replies.sendBytes(channel, bytes);
  }

  replyMalformed(channel: StreamChannel, failure: DecodeFailure): number {
    const { replies } = this.#deps;
    const body = replies.encodeError(failure.id ?? null, failure.error, channel.maxMessageBytes);
    replies.sendBytes(channel, body);
    return body.length;
  }

  senderOf(channel: StreamChannel): string {
    return `c${this.#connections.get(channel)?.id ?? 0}`;
  }

  /** Sends `body`, or PAYLOAD_TOO_LARGE when it exceeds the frame limit. */
  #deliver(call: StreamCall, body: Buffer): void {
    const { channel } = call;
    const { replies, stats, limiter } = this.#deps;
    if (body.length <= channel.maxMessageBytes) {
      replies.sendBytes(channel, body);
      return;
    }
    noteOversizeReply(stats, limiter, call, body.length);
    this.#deliver(call, replies.encodeError(call.id, toOversizeError(body.length, channel), channel.maxMessageBytes));
  }
}
