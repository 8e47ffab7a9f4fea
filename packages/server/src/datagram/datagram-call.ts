import type { DatagramChannel } from '@volley/transport';
import type { RequestEnvelope, ResponseMeta } from '@volley/wire';
import { InFlightCall } from '../in-flight-call.js';
import { toCallKey } from './reply-cache-key.js';

/** A call that came in a datagram: its reply goes to an unproven address, and may be kept. */
export class DatagramCall extends InFlightCall<DatagramChannel> {
  /** The caller's client id, for logs and the call's key. */
  readonly clientId: Uint8Array | undefined;
  /** The request's credentials, part of the call's key. */
  readonly #auth: string | undefined;
  #key: string | undefined;
  /** Metadata every reply to this request carries (attempt echo, client id, incarnation). */
  readonly replyMeta: ResponseMeta | undefined;
  /** Keep the reply for retransmissions: calls to procedures not declared idempotent. */
  readonly keepReply: boolean;

  /**
   * `key`: the call's key when admission has already built it. Positional, not an options
   * object: one of these is made per request.
   */
  constructor(
    envelope: RequestEnvelope,
    channel: DatagramChannel,
    arrived: number,
    key: string | undefined,
    replyMeta: ResponseMeta | undefined,
    keepReply: boolean,
  ) {
    super(envelope.id, channel, arrived);
    const meta = envelope.meta;
    this.clientId = meta?.clientId;
    this.#auth = meta?.auth;
    this.#key = key;
    this.replyMeta = replyMeta;
    this.keepReply = keepReply;
    // As sent: a refusal is kept this long. The runner narrows it if the call runs.
    this.deadlineMs = meta?.deadlineMs;
  }

  /**
   * The key in the reply cache and the table of running calls. Built on first use: a synchronous
   * call to an idempotent procedure, the common case, never needs it (see AtMostOnce.admit).
   */
  get key(): string {
    this.#key ??= toCallKey(this.channel.peer, this.id, this.clientId, this.#auth);
    return this.#key;
  }

  /** `<client id hex or address>/<msgid>`. */
  get requestId(): string {
    const { clientId, channel } = this;
    const client = clientId
      ? Buffer.from(clientId.buffer, clientId.byteOffset, clientId.byteLength).toString('hex')
      : `${channel.peer.address}:${channel.peer.port}`;
    return `${client}/${this.id}`;
  }
}
