import type { Channel } from '@volley/transport';
import type { ResponseMeta, RpcError } from '@volley/wire';
import { replyCacheKey } from './datagram/reply-cache-key.js';

/**
 * One call the server is running. The AbortController is created only if the handler reads
 * `ctx.signal`: most handlers never do, and the controller is the costliest allocation per call.
 */
export class InFlightCall {
  /** The request's msgid, for the reply. */
  readonly id: number;
  /** Where the reply goes. */
  readonly channel: Channel;
  /** The stream connection's number in logs (0 for UDP). */
  readonly connectionId: number;
  /** The UDP caller's client id, for logs and the call's key. */
  readonly clientId: Uint8Array | undefined;
  /** The request's credentials, part of a UDP call's key. */
  readonly #auth: string | undefined;
  #cacheKey: string | undefined;
  /** Metadata every reply to this request carries (UDP: attempt echo and client id). */
  replyMeta: ResponseMeta | undefined = undefined;
  /** Keep the reply for retransmissions: UDP calls to procedures not declared idempotent. */
  keepReply = false;
  /** The caller's deadline in ms from arrival, which bounds how long a cached reply is kept. */
  deadlineMs: number | undefined = undefined;
  /** `performance.now()` when the request arrived: elapsed times in logs, deadline timers. */
  started = 0;
  #deadline: number | undefined;
  /** Set once the reply (or a deadline/cancel outcome) has been decided; later results are dropped. */
  settled = false;
  timer: NodeJS.Timeout | undefined;
  #controller: AbortController | undefined;
  #reason: RpcError | undefined;

  /** `cacheKey`: a UDP call's key when the caller has already built it. */
  constructor(id: number, channel: Channel, connectionId: number, clientId?: Uint8Array, auth?: string, cacheKey?: string) {
    this.id = id;
    this.channel = channel;
    this.connectionId = connectionId;
    this.clientId = clientId;
    this.#auth = auth;
    this.#cacheKey = cacheKey;
  }

  /**
   * Reply-cache key of a UDP call (undefined on streams): where a truncated or kept reply is
   * stored. Built on first use: a synchronous call to an idempotent procedure, the common case,
   * never needs it (see the call runner).
   */
  get cacheKey(): string | undefined {
    if (this.channel.mode === 'stream') return undefined;
    this.#cacheKey ??= replyCacheKey(this.channel, this.id, this.clientId, this.#auth);
    return this.#cacheKey;
  }

  /** Call-table key: the msgid on streams, the reply-cache key on UDP. */
  get key(): string | number {
    return this.channel.mode === 'datagram' ? (this.cacheKey as string) : this.id;
  }

  /** Id for logs: `<client id hex or address>/<msgid>` on UDP, `c<connection>/<msgid>` on streams. Built on demand. */
  get requestId(): string {
    if (this.channel.mode === 'stream') return `c${this.connectionId}/${this.id}`;
    const { clientId, channel } = this;
    const client = clientId ? Buffer.from(clientId.buffer, clientId.byteOffset, clientId.byteLength).toString('hex') : `${channel.peer.address}:${channel.peer.port}`;
    return `${client}/${this.id}`;
  }

  /**
   * Absolute deadline (epoch ms) from the caller's `deadlineMs`, fixed on first read: the wall
   * clock now, less the time since arrival on the monotonic clock.
   */
  get deadline(): number | undefined {
    if (this.deadlineMs === undefined) return undefined;
    this.#deadline ??= Date.now() - (performance.now() - this.started) + this.deadlineMs;
    return this.#deadline;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Fires the handler's signal once; the first reason wins. */
  abort(reason: RpcError): void {
    if (this.#reason) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
