import { randomBytes } from 'node:crypto';
import type { ClientConnection } from '@volley/transport';
import { type Codec, createCodec, type Envelope, KIND, MAX_MSGID, type RequestMeta, RpcError } from '@volley/wire';
import type { Logger } from 'pino';
import type { CallOptions, ClientStats } from './call-options.js';
import { DEFAULT_TIMEOUT_MS, UDP_BACKOFF_FACTOR, UDP_FIRST_RETRANSMIT_MS, UDP_MAX_RETRANSMITS } from './constants.js';
import { notSent } from './endpoint.js';
import { type Connector, Link } from './links/link.js';
import { PendingCall } from './pending-call.js';
import { TimerQueue } from './timer-queue.js';

/** Settings {@link ClientCore} needs beyond its connector. */
export interface ClientCoreOptions {
  /** True for UDP: calls are retransmitted and carry the client id. */
  connectionless: boolean;
  /** Shown in error messages. */
  target: string;
  defaultTimeoutMs?: number;
  logger?: Logger;
}

/**
 * The untyped engine behind a client: msgids, pending calls, deadlines, cancellation, UDP
 * retransmission, and matching replies (in any order) to calls sharing one connection.
 */
export class ClientCore {
  readonly stats: ClientStats = { calls: 0, retransmits: 0, timeouts: 0, cancelled: 0, unmatchedReplies: 0, malformedReplies: 0 };
  /** Random 64-bit id carried by every UDP request, so the server can tell clients apart. */
  readonly clientId: Buffer = randomBytes(8);
  readonly #codec: Codec = createCodec();
  readonly #pending = new Map<number, PendingCall>();
  readonly #timers = new TimerQueue<PendingCall>((call) => this.#onTimer(call));
  readonly #link: Link;
  readonly #options: ClientCoreOptions;
  readonly #defaultTimeoutMs: number;
  #nextId = randomBytes(4).readUInt32BE(0);
  #closed = false;

  constructor(connect: Connector, options: ClientCoreOptions) {
    this.#options = options;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#link = new Link(connect, {
      onMessage: (message, connection) => this.#onMessage(message, connection),
      onConnectionClosed: (connection, reason) => this.#onConnectionClosed(connection, reason),
    });
  }

  /** Calls awaiting a reply. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Calls `method` with `input`; resolves with the result or rejects with an {@link RpcError}. */
  call(method: string, input: unknown, options?: CallOptions): Promise<unknown> {
    if (this.#closed) return Promise.reject(notSent('CLOSED', 'Client is closed'));
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(notSent('CANCELLED', 'Call cancelled before it was sent', signal.reason));
    const timeoutMs = options?.timeoutMs ?? this.#defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      this.stats.calls++;
      const call = new PendingCall(this.#allocateId(), method, input, performance.now() + timeoutMs, options?.trace, resolve, reject);
      this.#pending.set(call.id, call);
      if (signal) {
        call.signal = signal;
        call.onAbort = () => this.#cancel(call);
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      if (this.#options.connectionless) call.retransmitDelayMs = UDP_FIRST_RETRANSMIT_MS;
      const connection = this.#link.current;
      if (connection) this.#transmit(call, connection);
      else {
        this.#link.acquire().then(
          (opened) => this.#transmit(call, opened),
          (error: unknown) => this.#settle(call, toLocalError(error, this.#options.target)),
        );
      }
      this.#schedule(call);
    });
  }

  /** Sends a one-way notification; resolves once handed to the socket. No reply, no retry. */
  async notify(method: string, input: unknown, options?: Pick<CallOptions, 'trace'>): Promise<void> {
    if (this.#closed) throw notSent('CLOSED', 'Client is closed');
    let connection = this.#link.current;
    if (connection === undefined) {
      try {
        connection = await this.#link.acquire();
      } catch (error) {
        throw toLocalError(error, this.#options.target);
      }
    }
    const meta: RequestMeta | undefined = options?.trace === undefined ? undefined : { trace: options.trace };
    let bytes: Buffer;
    try {
      bytes = this.#codec.encode({ kind: KIND.notification, method, input, ...(meta && { meta }) });
    } catch (cause) {
      throw new RpcError('BAD_REQUEST', `Input of "${method}" cannot be encoded: ${(cause as Error).message}`, { cause, local: true, notExecuted: true });
    }
    if (bytes.length > connection.maxMessageBytes) throw notSent('PAYLOAD_TOO_LARGE', `Notification of ${bytes.length} bytes exceeds the ${connection.maxMessageBytes}-byte limit`);
    if (!connection.send(bytes)) throw notSent('UNAVAILABLE', `Connection to ${this.#options.target} is closed`);
  }

  /** Fails every pending call with `CLOSED` and closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const call of [...this.#pending.values()]) {
      this.#settle(call, new RpcError('CLOSED', `Client closed while "${call.method}" was pending`, { local: true, notExecuted: !call.sent }));
    }
    this.#timers.clear();
    this.#link.close();
  }

  #allocateId(): number {
    let id = this.#nextId;
    // Wraps at 2^32; skipping ids still pending keeps replies unambiguous after a wrap.
    while (this.#pending.has(id)) id = id === MAX_MSGID ? 0 : id + 1;
    this.#nextId = id === MAX_MSGID ? 0 : id + 1;
    return id;
  }

  #transmit(call: PendingCall, connection: ClientConnection): void {
    if (this.#pending.get(call.id) !== call) return;
    const remainingMs = Math.max(0, Math.round(call.deadlineAt - performance.now()));
    const meta: RequestMeta = { deadlineMs: remainingMs };
    if (this.#options.connectionless) {
      meta.attempt = call.attempt + 1;
      meta.clientId = this.clientId;
    }
    if (call.trace !== undefined) meta.trace = call.trace;
    let bytes: Buffer;
    try {
      bytes = this.#codec.encode({ kind: KIND.request, id: call.id, method: call.method, input: call.input, meta });
    } catch (cause) {
      // A value MessagePack cannot carry (a function, a BigInt beyond 64 bits, a cycle...).
      this.#settle(call, new RpcError('BAD_REQUEST', `Input of "${call.method}" cannot be encoded: ${(cause as Error).message}`, { cause, local: true, notExecuted: !call.sent }));
      return;
    }
    if (bytes.length > connection.maxMessageBytes) {
      const limit = connection.maxMessageBytes;
      this.#settle(call, notSent('PAYLOAD_TOO_LARGE', `Request of ${bytes.length} bytes exceeds the ${limit}-byte ${connection.kind} limit`));
      return;
    }
    if (!connection.send(bytes)) {
      const message = `Connection to ${this.#options.target} is closed`;
      this.#settle(call, new RpcError('UNAVAILABLE', message, { local: true, notExecuted: !call.sent }));
      return;
    }
    call.connection = connection;
    call.attempt++;
  }

  /** Puts the call in the timer queue for whichever comes first: the next retransmission or the deadline. */
  #schedule(call: PendingCall): void {
    if (this.#pending.get(call.id) !== call) return;
    const now = performance.now();
    if (this.#options.connectionless && call.attempt <= UDP_MAX_RETRANSMITS) call.retransmitAt = now + call.retransmitDelayMs;
    else call.retransmitAt = Number.POSITIVE_INFINITY;
    this.#timers.schedule(call, Math.min(call.retransmitAt, call.deadlineAt) - now);
  }

  #onTimer(call: PendingCall): void {
    if (this.#pending.get(call.id) !== call) return;
    const now = performance.now();
    if (now >= call.deadlineAt - 1) {
      this.stats.timeouts++;
      this.#settle(
        call,
        new RpcError('DEADLINE_EXCEEDED', `"${call.method}" to ${this.#options.target} got no reply within its deadline`, {
          local: true,
          notExecuted: !call.sent,
        }),
      );
      return;
    }
    const connection = call.connection ?? this.#link.current;
    if (connection) {
      this.stats.retransmits++;
      this.#options.logger?.debug({ id: call.id, method: call.method, attempt: call.attempt + 1, delayMs: call.retransmitDelayMs }, 'retransmitting');
      this.#transmit(call, connection);
      call.retransmitDelayMs *= UDP_BACKOFF_FACTOR;
    }
    this.#schedule(call);
  }

  #cancel(call: PendingCall): void {
    if (this.#pending.get(call.id) !== call) return;
    this.stats.cancelled++;
    const wasSent = call.sent;
    if (wasSent && call.connection) {
      const meta = this.#options.connectionless ? { clientId: this.clientId } : undefined;
      call.connection.send(this.#codec.encode({ kind: KIND.cancel, id: call.id, ...(meta && { meta }) }));
    }
    this.#settle(call, new RpcError('CANCELLED', `"${call.method}" was cancelled by the caller`, { local: true, notExecuted: !wasSent, cause: call.signal?.reason }));
  }

  #settle(call: PendingCall, outcome: RpcError | { value: unknown }): void {
    if (this.#pending.get(call.id) !== call) return;
    this.#pending.delete(call.id);
    this.#timers.cancel(call);
    if (call.onAbort) call.signal?.removeEventListener('abort', call.onAbort);
    if (outcome instanceof RpcError) call.reject(outcome);
    else call.resolve(outcome.value);
  }

  #onMessage(bytes: Buffer, connection: ClientConnection): void {
    const decoded = this.#codec.decode(bytes);
    if (!decoded.ok) {
      this.stats.malformedReplies++;
      this.#options.logger?.warn({ reason: decoded.error.error.message }, 'malformed message from server dropped');
      return;
    }
    const envelope: Envelope = decoded.value;
    if (envelope.kind === KIND.response) {
      const call = envelope.id === null ? undefined : this.#pending.get(envelope.id);
      if (call === undefined || call.connection !== connection) {
        this.stats.unmatchedReplies++;
        if (envelope.id === null && envelope.error) this.#options.logger?.warn({ error: envelope.error }, 'server rejected a message it could not read');
        return;
      }
      this.#settle(call, envelope.error ? RpcError.fromWire(envelope.error) : { value: envelope.result });
    } else if (envelope.kind === KIND.ping) {
      connection.send(this.#codec.encode({ kind: KIND.pong, id: envelope.id }));
    } else if (envelope.kind === KIND.goaway) {
      this.#options.logger?.info({ target: this.#options.target, reason: envelope.reason }, 'server sent goaway; new calls use a new connection');
      this.#link.retire(connection);
    }
  }

  #onConnectionClosed(connection: ClientConnection, reason?: Error): void {
    for (const call of [...this.#pending.values()]) {
      if (call.connection !== connection) continue;
      this.#settle(
        call,
        new RpcError('UNAVAILABLE', `Connection to ${this.#options.target} closed before "${call.method}" was answered`, {
          local: true,
          notExecuted: false,
          cause: reason,
        }),
      );
    }
  }
}

function toLocalError(error: unknown, target: string): RpcError {
  if (error instanceof RpcError) return error;
  return notSent('UNAVAILABLE', `Cannot reach ${target}: ${(error as Error)?.message ?? String(error)}`, error);
}
