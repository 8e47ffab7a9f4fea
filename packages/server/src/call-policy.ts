import type { CompiledProcedure } from '@volley/router/internal';
import type { StreamChannel } from '@volley/transport';
import type { RequestEnvelope, RequestMeta, RpcError } from '@volley/wire';
import type { DecodeFailure } from '@volley/wire/internal';
import type { InFlightCall } from './in-flight-call.js';
import type { ServerObserver } from './observe/server-observer.js';

/**
 * What differs between a datagram call and a stream call, behind one interface: admission, the
 * table of running calls, and how replies leave. The server holds one policy per channel kind and
 * the message handler picks it by `channel.mode` as a message arrives; everything after runs the
 * same for both (undici's per-protocol context, one generic engine). A policy only ever sees the
 * calls it made itself.
 *
 * ```
 *  message ──▶ mode? ──datagram──▶ DatagramPolicy: reply cache, running calls by key, truncation,
 *                │                                  cookie challenge, anti-amplification budget
 *                └─────stream────▶ StreamPolicy:   calls by msgid per connection, connection limit,
 *                                                   the TCP fetch of a truncated UDP reply
 * ```
 */
export interface CallPolicy<T extends InFlightCall> {
  /** Calls of this kind running now. */
  readonly size: number;
  /**
   * The first step of a request: answers or drops what must not run (a kept reply, a fetch, a
   * duplicate of a running call) and returns undefined, or returns the call, not yet tracked.
   * `procedure` is the router's entry for the method, undefined when there is none. With an
   * `observer`, the call is observed from here (`requestBytes` is what it tells observers), and
   * what admission answers ends the observation.
   */
  admit(
    envelope: RequestEnvelope,
    channel: T['channel'],
    procedure: CompiledProcedure | undefined,
    arrived: number,
    requestBytes: number,
    observer: ServerObserver | undefined,
  ): T | undefined;
  /** The refusal due when the call's connection is at its own call limit (counted and logged), else undefined. */
  overLimit(call: T, procedure: string): RpcError | undefined;
  /** Tracks a call still running, so cancels, duplicates, the deadline and a drain find it. */
  track(call: T): void;
  /** Forgets a call that is no longer running. */
  untrack(call: T): void;
  /** The running call a cancel refers to. */
  find(channel: T['channel'], id: number, meta: RequestMeta | undefined): T | undefined;
  /** Every call of this kind running now. */
  calls(): Iterable<T>;
  /** Sends a handler's reply body (encoded without metadata), or what the channel allows instead. */
  reply(call: T, body: Buffer): void;
  /**
   * Answers with an error the server decided (a refusal, a cancel, a deadline, a shutdown); the
   * answer is kept for duplicates where this kind keeps replies, and sent unless `send` is false.
   * Returns the bytes of the error reply's body, 0 when none was sent.
   */
  replyError(call: T, error: RpcError, send: boolean): number;
  /** Sends bytes that answer no call (a pong, a signing refusal) within what the channel allows. */
  send(channel: T['channel'], bytes: Uint8Array): void;
  /** Answers a message that could not be decoded; returns the bytes of the answer. */
  replyMalformed(channel: T['channel'], failure: DecodeFailure): number;
  /** Who sent a message, for logs (a notification's request id): an address or a connection. */
  senderOf(channel: T['channel']): string;
}

/**
 * The connections the stream policy keeps, as the message handler drives them from the
 * transport's connection events (open, close, idle) and from a drain (goaway to each).
 */
export interface ConnectionTable {
  /** Starts tracking a new connection; its number is for logs. */
  open(channel: StreamChannel): { readonly id: number };
  /** Forgets a closed connection and returns the calls it left running. */
  close(channel: StreamChannel): InFlightCall<StreamChannel>[];
  connectionOf(channel: StreamChannel): { readonly id: number; readonly calls: { readonly size: number } } | undefined;
  /** Every open connection. */
  channels(): Iterable<StreamChannel>;
}
