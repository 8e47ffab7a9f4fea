import type { CallerAddress } from '@volley/router';
import type { Channel, TransportKind } from '@volley/transport';
import type { ErrorCode, RequestMeta, RpcError } from '@volley/wire';
import type { Observable } from './observe/observers.js';
import type { ServerAnswer, ServerCallWatch } from './observe/server-observer.js';

/**
 * One request the server answers: a call it runs, or one it answers without running (a kept
 * reply, a refusal). It is where the reply goes, so each channel kind extends it with what its
 * replies need (`DatagramCall`, `StreamCall`). The AbortController is created only if the handler
 * reads `ctx.signal`: most handlers never do, and the controller is the costliest allocation per call.
 */
export abstract class InFlightCall<C extends Channel = Channel> implements Observable {
  /** The request's msgid, for the reply. */
  readonly id: number;
  /** Where the reply goes. */
  readonly channel: C;
  /** `performance.now()` when the request arrived: elapsed times in logs, deadline timers. */
  readonly started: number;
  /**
   * The caller's deadline in ms from arrival, which bounds how long a kept reply is kept. Once the
   * call runs, only one a timer can enforce (see the call runner).
   */
  deadlineMs: number | undefined = undefined;
  #deadline: number | undefined;
  /** Set once the reply (or a deadline/cancel outcome) has been decided; later results are dropped. */
  settled = false;
  timer: NodeJS.Timeout | undefined;
  #controller: AbortController | undefined;
  #reason: RpcError | undefined;
  // What observers read (ObservedServerCall): set when observing begins and as the call ends, so
  // the call is its own record and observing allocates nothing per call.
  procedure: string | undefined = undefined;
  known = false;
  requestBytes = 0;
  meta: RequestMeta | undefined = undefined;
  code: 'OK' | ErrorCode = 'OK';
  error: RpcError | undefined = undefined;
  responseBytes = 0;
  durationMs = 0;
  answer: ServerAnswer = 'dispatched';
  /** The observers' watch of this call while it is observed (server `observers`), else undefined. */
  watch: ServerCallWatch | undefined = undefined;

  constructor(id: number, channel: C, started: number) {
    this.id = id;
    this.channel = channel;
    this.started = started;
  }

  get transport(): TransportKind {
    return this.channel.kind;
  }

  get peer(): CallerAddress {
    return this.channel.peer;
  }

  get startedAt(): number {
    return this.started;
  }

  /** Id for logs, built on demand: it names the caller (a client, an address, a connection) and the msgid. */
  abstract get requestId(): string;

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

  /** The outcome is decided (a reply, a deadline, a cancel, a lost connection): stops the deadline timer; later results are dropped. */
  settle(): void {
    this.settled = true;
    clearTimeout(this.timer);
  }

  /** Fires the handler's signal once; the first reason wins. */
  abort(reason: RpcError): void {
    if (this.#reason) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
