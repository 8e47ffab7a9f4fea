import type { Channel } from '@volley/transport';
import type { RpcError } from '@volley/wire';

/**
 * One call the server is running. The AbortController is created only if the handler reads
 * `ctx.signal`: most handlers never do, and the controller is the costliest allocation per call.
 */
export class InFlightCall {
  /** Table key: the msgid on streams, `<client>/<msgid>` on UDP. */
  readonly key: string | number;
  /** The request's msgid, for the reply. */
  readonly id: number;
  /** Where the reply goes. */
  readonly channel: Channel;
  /** The stream connection's number in logs (0 for UDP). */
  readonly connectionId: number;
  /** Set once the reply (or a deadline/cancel outcome) has been decided; later results are dropped. */
  settled = false;
  timer: NodeJS.Timeout | undefined;
  #controller: AbortController | undefined;
  #reason: RpcError | undefined;

  constructor(key: string | number, id: number, channel: Channel, connectionId: number) {
    this.key = key;
    this.id = id;
    this.channel = channel;
    this.connectionId = connectionId;
  }

  /** Id for logs: `<client id or address>/<msgid>` on UDP, `c<connection>/<msgid>` on streams. Built on demand. */
  get requestId(): string {
    return this.channel.connectionless ? (this.key as string) : `c${this.connectionId}/${this.key}`;
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
