import { randomBytes } from 'node:crypto';
import type { ClientConnection } from '@volley/transport';
import { type Codec, createCodec, type Envelope, KIND, MAX_MSGID, type ResponseEnvelope, RpcError } from '@volley/wire';
import { MsgidTable } from '@volley/wire/internal';
import { RetryBudget } from './balance/retry-budget.js';
import type { CallObserver } from './call-observer.js';
import { type CallOptions, type ClientStats, createClientStats, mergeMetadata } from './call-options.js';
import type { CallHost, CallPath } from './call-path.js';
import { callWithRetries, retryListeners } from './call-retry.js';
import type { ClientCoreOptions } from './client-core-options.js';
import { DEFAULT_TIMEOUT_MS } from './constants.js';
import { createCallPath } from './create-call-path.js';
import { connectionClosed, notSent, unencodable } from './local-errors.js';
import { safeListener, tellSizes } from './observe/call-events.js';
import { PendingCall } from './pending-call.js';
import type { Connector } from './reconnecting-connection.js';
import { requestMeta } from './request-meta.js';
import { TimerQueue } from './timer-queue.js';

/**
 * The untyped engine behind a client: msgids, pending calls, deadlines, cancellation, retries,
 * and matching replies (in any order) to calls. How calls travel is its {@link CallPath}, chosen
 * once at construction from `options.mode`: datagrams (retransmitted, windowed, authenticated by
 * client id, with a TCP route for what does not fit) or one stream connection.
 */
export class ClientCore {
  readonly stats: ClientStats = createClientStats();
  /** Random 64-bit id carried by every UDP request; replies must echo it. */
  readonly clientId: Buffer = randomBytes(8);
  readonly #codec: Codec = createCodec();
  readonly #pending = new MsgidTable<PendingCall>();
  readonly #timers = new TimerQueue<PendingCall>((call) => this.#onTimer(call));
  readonly #path: CallPath;
  readonly #options: ClientCoreOptions;
  readonly #defaultTimeoutMs: number;
  /** Bounds retries to a fraction of calls (call-retry.ts); one per client, shared by its calls. */
  readonly #retryBudget: RetryBudget;
  readonly #isLive = (call: PendingCall): boolean => this.#pending.get(call.id) === call;
  #nextId = randomBytes(4).readUInt32BE(0);
  #closed = false;
  /**
   * Bytes of the message decoded last. A path decodes a reply, matches it and answers its call in
   * one synchronous step (CallHost), so when a call is answered this is the size of its reply.
   */
  #decodedBytes = 0;

  constructor(connect: Connector, options: ClientCoreOptions) {
    this.#options = options;
    this.#retryBudget = new RetryBudget(options.retry?.budget);
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#path = createCallPath(connect, options, this.#createHost());
  }

  /** Calls awaiting a reply. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** The destination's current retransmission timeout (UDP), ms. */
  get rtoMs(): number | undefined {
    return this.#path.rtoMs;
  }

  /**
   * Calls `method` with `input`; resolves with the result or rejects with an {@link RpcError}.
   * An `observer` (a balancer's attempt; the core then retries nothing itself) hears how the call
   * ended before the promise settles, and may take a failure over.
   */
  call(method: string, input: unknown, options?: CallOptions, observer?: CallObserver): Promise<unknown> {
    const retry = this.#options.retry;
    if (observer !== undefined || retry === undefined || (retry.maxAttempts ?? 1) <= 1)
      return this.#callOnce(method, input, options, observer);
    return callWithRetries((timeoutMs) => this.#callOnce(method, input, { ...options, timeoutMs }), {
      retry,
      idempotent: this.#options.procedures?.[method]?.idempotent === true,
      timeoutMs: options?.timeoutMs ?? this.#defaultTimeoutMs,
      stop: () => this.#closed || options?.signal?.aborted === true,
      budget: this.#retryBudget,
      ...retryListeners(this.stats, options?.onEvent, this.#options.logger),
    });
  }

  #callOnce(method: string, input: unknown, options?: CallOptions, observer?: CallObserver): Promise<unknown> {
    if (this.#closed) return Promise.reject(notSent('CLOSED', 'Client is closed'));
    const signal = options?.signal;
    if (signal?.aborted)
      return Promise.reject(notSent('CANCELLED', 'Call cancelled before it was sent', signal.reason));
    const timeoutMs = options?.timeoutMs ?? this.#defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      this.stats.calls++;
      const call = new PendingCall(
        this.#allocateId(),
        method,
        input,
        performance.now() + timeoutMs,
        options?.trace,
        resolve,
        reject,
      );
      call.observer = observer;
      if (options?.onEvent !== undefined) call.onEvent = safeListener(options.onEvent, this.#options.logger);
      call.onSizes = options?.onSizes;
      call.traceState = options?.traceState;
      call.auth = options?.auth ?? this.#options.auth;
      call.metadata = mergeMetadata(this.#options.metadata, options?.metadata);
      this.#register(call);
      if (signal) {
        call.signal = signal;
        call.onAbort = () => this.#cancel(call);
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      this.#path.start(call);
    });
  }

  /** Sends a one-way notification; resolves once handed to the socket. No reply, no retry. */
  notify(
    method: string,
    input: unknown,
    options?: Pick<CallOptions, 'trace' | 'traceState' | 'auth' | 'metadata'>,
  ): Promise<void> {
    if (this.#closed) return Promise.reject(notSent('CLOSED', 'Client is closed'));
    return this.#path.notify({
      method,
      input,
      trace: options?.trace,
      traceState: options?.traceState,
      auth: options?.auth ?? this.#options.auth,
      metadata: mergeMetadata(this.#options.metadata, options?.metadata),
    });
  }

  /** Fails every pending call with `CLOSED` and closes the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const call of this.#pending.values()) {
      this.#settle(
        call,
        new RpcError('CLOSED', `Client closed while "${call.method}" was pending`, {
          local: true,
          notExecuted: !call.sent,
        }),
      );
    }
    this.#timers.clear();
    this.#path.close();
  }

  /** Enters a call as pending. The first pending call refs the sockets; #settle unrefs them after the last one. */
  #register(call: PendingCall): PendingCall {
    this.#pending.set(call.id, call);
    if (this.#pending.size === 1) this.#path.setReferenced(true);
    return call;
  }

  #allocateId(): number {
    let id = this.#nextId;
    // Wraps at 2^32; skipping ids still pending keeps replies unambiguous after a wrap.
    while (this.#pending.has(id)) id = id === MAX_MSGID ? 0 : id + 1;
    this.#nextId = id === MAX_MSGID ? 0 : id + 1;
    return id;
  }

  #onTimer(call: PendingCall): void {
    if (!this.#isLive(call)) return;
    if (performance.now() >= call.deadlineAt - 1) {
      if (!call.internal) this.stats.timeouts++;
      const message = `"${call.method}" to ${this.#options.target} got no reply within its deadline`;
      this.#settle(call, new RpcError('DEADLINE_EXCEEDED', message, { local: true, notExecuted: !call.sent }));
      return;
    }
    this.#path.onTimer(call);
  }

  #cancel(call: PendingCall): void {
    if (!this.#isLive(call)) return;
    this.stats.cancelled++;
    const wasSent = call.sent;
    if (wasSent && call.connection) this.#path.cancel(call, call.connection);
    this.#settle(
      call,
      new RpcError('CANCELLED', `"${call.method}" was cancelled by the caller`, {
        local: true,
        notExecuted: !wasSent,
        cause: call.signal?.reason,
      }),
    );
  }

  /** Ends a call: with `error`, or with `value` when `error` is undefined (no wrapper object per reply). */
  #settle(call: PendingCall, error: RpcError | undefined, value?: unknown): void {
    if (!this.#isLive(call)) return;
    this.#pending.delete(call.id);
    // The timer queue needs no unref: its timer runs only while calls are scheduled.
    if (this.#pending.size === 0) this.#path.setReferenced(false);
    this.#timers.cancel(call);
    if (call.onAbort) call.signal?.removeEventListener('abort', call.onAbort);
    this.#path.release(call);
    if (call.onSizes !== undefined && call.requestBytes > 0)
      tellSizes(call.onSizes, call.requestBytes, call.responseBytes, this.#options.logger);
    const observer = call.observer;
    if (error !== undefined) {
      if (observer === undefined || !observer.failed(error, call.resolve, call.reject)) call.reject(error);
    } else {
      observer?.succeeded();
      call.resolve(value);
    }
  }

  #encodeRequest(
    call: PendingCall,
    now: number,
    clientId: Uint8Array | undefined,
    cookie: Uint8Array | undefined,
  ): Buffer | undefined {
    const meta = requestMeta(call, now, clientId, cookie);
    try {
      return this.#codec.encode({ kind: KIND.request, id: call.id, method: call.method, input: call.input, meta });
    } catch (cause) {
      this.#settle(call, unencodable(call, cause));
      return undefined;
    }
  }

  #sendRequest(call: PendingCall, connection: ClientConnection, bytes: Buffer, now: number): boolean {
    if (!connection.send(bytes)) {
      this.#settle(call, connectionClosed(this.#options.target, call.sent));
      return false;
    }
    this.stats.sent++;
    call.connection = connection;
    call.attempt++;
    call.lastSentAt = now;
    call.requestBytes = bytes.length;
    return true;
  }

  #decode(bytes: Buffer): Envelope | undefined {
    const decoded = this.#codec.decode(bytes);
    if (decoded.ok) {
      this.#decodedBytes = bytes.length;
      return decoded.value;
    }
    this.stats.malformedReplies++;
    this.#options.logger?.warn({ reason: decoded.error.error.message }, 'malformed message from server dropped');
    return undefined;
  }

  #match(response: ResponseEnvelope, connection: ClientConnection): PendingCall | undefined {
    const call = response.id === null ? undefined : this.#pending.get(response.id);
    if (call !== undefined && call.connection === connection) return call;
    this.stats.unmatchedReplies++;
    if (response.id === null && response.error)
      this.#options.logger?.warn({ error: response.error }, 'server rejected a message it could not read');
    return undefined;
  }

  #failCallsOn(connection: ClientConnection, reason?: Error): void {
    for (const call of this.#pending.values()) {
      if (call.connection !== connection) continue;
      const message = `Connection to ${this.#options.target} closed before "${call.method}" was answered`;
      this.#settle(call, new RpcError('UNAVAILABLE', message, { local: true, notExecuted: false, cause: reason }));
    }
  }

  /** The core as its path sees it; built once, so every call through it is monomorphic. */
  #createHost(): CallHost {
    return {
      stats: this.stats,
      codec: this.#codec,
      clientId: this.clientId,
      target: this.#options.target,
      logger: this.#options.logger,
      isLive: this.#isLive,
      pendingCalls: () => this.#pending.values(),
      register: (create) => this.#register(create(this.#allocateId())),
      schedule: (call, delayMs, now) => this.#timers.schedule(call, delayMs, now),
      settle: (call, error, value) => this.#settle(call, error, value),
      encodeRequest: (call, now, clientId, cookie) => this.#encodeRequest(call, now, clientId, cookie),
      sendRequest: (call, connection, bytes, now) => this.#sendRequest(call, connection, bytes, now),
      decode: (bytes) => this.#decode(bytes),
      match: (response, connection) => this.#match(response, connection),
      answer: (call, response) => {
        call.responseBytes = this.#decodedBytes;
        if (response.error) this.#settle(call, RpcError.fromWire(response.error));
        else this.#settle(call, undefined, response.result);
      },
      failCallsOn: (connection, reason) => this.#failCallsOn(connection, reason),
    };
  }
}
