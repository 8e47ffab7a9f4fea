import { randomBytes } from 'node:crypto';
import type { ClientConnection } from '@volley/transport';
import { type Codec, createCodec, type Envelope, KIND, MAX_MSGID, MsgidTable, type ResponseEnvelope, RpcError } from '@volley/wire';
import { type CallOptions, type ClientStats, createClientStats, mergeMetadata } from './call-options.js';
import { callWithRetries } from './call-retry.js';
import type { ClientCoreOptions } from './client-core-options.js';
import { DEFAULT_MAX_OUTSTANDING, DEFAULT_TIMEOUT_MS } from './constants.js';
import { Keepalive } from './stream/keepalive.js';
import { describeRouteFailure, notSent, toLocalError } from './local-errors.js';
import { sendNotification } from './notification.js';
import { type Connector, ReconnectingConnection } from './reconnecting-connection.js';
import { DatagramsInDoubt } from './datagram/datagrams-in-doubt.js';
import { OutstandingWindow } from './datagram/outstanding-window.js';
import { PendingCall } from './pending-call.js';
import { requestMeta } from './request-meta.js';
import { RetransmitPolicy } from './datagram/retransmit-policy.js';
import { TimerQueue } from './timer-queue.js';

/**
 * The untyped engine behind a client: msgids, pending calls, deadlines, cancellation, and
 * matching replies (in any order) to calls sharing one connection. Over UDP it also owns the
 * reliability: adaptive retransmission, the outstanding window, reply authentication by client
 * id, and the TCP fallback for messages too large for a datagram.
 */
export class ClientCore {
  readonly stats: ClientStats = createClientStats();
  /** Random 64-bit id carried by every UDP request; replies must echo it. */
  readonly clientId: Buffer = randomBytes(8);
  readonly #codec: Codec = createCodec();
  readonly #pending = new MsgidTable<PendingCall>();
  readonly #timers = new TimerQueue<PendingCall>((call) => this.#onTimer(call));
  readonly #link: ReconnectingConnection;
  readonly #fallback: ReconnectingConnection | undefined;
  readonly #policy: RetransmitPolicy;
  readonly #window: OutstandingWindow<PendingCall> | undefined;
  readonly #options: ClientCoreOptions;
  readonly #defaultTimeoutMs: number;
  readonly #keepalive: Keepalive;
  #nextPingId = 0;
  /** The server's address cookie, once it challenged us (UDP anti-amplification). */
  #cookie: Uint8Array | undefined;
  /**
   * The server's incarnation from its latest accepted UDP reply; each call records the one known
   * at its first transmission (PendingCall.incarnation). Per server, like the cookie: a client
   * spread over several endpoints keeps one per endpoint.
   */
  #incarnation: number | undefined;
  readonly #isLive = (call: PendingCall): boolean => this.#pending.get(call.id) === call;
  /** Connections the server sent goaway on, closed once their last call is answered. */
  readonly #retired = new Set<ClientConnection>();
  #nextId = randomBytes(4).readUInt32BE(0);
  #closed = false;
  /** UDP datagrams that could have drawn an ICMP port-unreachable (see {@link #onUnreachable}). */
  readonly #inDoubt = new DatagramsInDoubt();

  constructor(connect: Connector, options: ClientCoreOptions) {
    this.#options = options;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const events = {
      onMessage: (message: Buffer, connection: ClientConnection) => this.#onMessage(message, connection),
      onConnectionClosed: (connection: ClientConnection, reason?: Error) => this.#onConnectionClosed(connection, reason),
      onUnreachable: (connection: ClientConnection, error: Error) => this.#onUnreachable(connection, error),
    };
    this.#link = new ReconnectingConnection(connect, events, options.reconnect);
    this.#fallback = options.mode === 'datagram' && options.fallback ? new ReconnectingConnection(options.fallback, events, options.reconnect) : undefined;
    this.#policy = new RetransmitPolicy(options.retransmit);
    this.#keepalive = new Keepalive(options.keepalive ?? {}, {
      connections: () => [...this.#link.connections(), ...(this.#fallback?.connections() ?? [])],
      hasPending: (connection) => this.#pending.values().some((call) => call.connection === connection),
      ping: (connection) => connection.send(this.#codec.encode({ kind: KIND.ping, id: this.#nextPingId++ })),
      onDead: (connection, silentMs) => {
        options.logger?.warn({ target: options.target, silentMs }, 'no answer to keepalive ping: dropping the connection');
        if (connection.mode === 'stream' && connection.destroy) connection.destroy(new Error(`No answer to a keepalive ping after ${silentMs} ms of silence`));
        else connection.close();
      },
    });
    if (options.mode === 'stream' || options.fallback) this.#keepalive.start();
    this.#window = options.mode === 'datagram' ? new OutstandingWindow(options.maxOutstanding ?? DEFAULT_MAX_OUTSTANDING) : undefined;
  }

  /** Calls awaiting a reply. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** The destination's current retransmission timeout (UDP), ms. */
  get rtoMs(): number {
    return this.#policy.rtt.rtoMs;
  }

  /** Calls `method` with `input`; resolves with the result or rejects with an {@link RpcError}. */
  call(method: string, input: unknown, options?: CallOptions): Promise<unknown> {
    const retry = this.#options.retry;
    if (retry === undefined || (retry.maxAttempts ?? 1) <= 1) return this.#callOnce(method, input, options);
    return callWithRetries((timeoutMs) => this.#callOnce(method, input, { ...options, timeoutMs }), {
      retry,
      idempotent: this.#options.procedures?.[method]?.idempotent === true,
      timeoutMs: options?.timeoutMs ?? this.#defaultTimeoutMs,
      stop: () => this.#closed || options?.signal?.aborted === true,
      onRetry: () => this.stats.callRetries++,
    });
  }

  #callOnce(method: string, input: unknown, options?: CallOptions): Promise<unknown> {
    if (this.#closed) return Promise.reject(notSent('CLOSED', 'Client is closed'));
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(notSent('CANCELLED', 'Call cancelled before it was sent', signal.reason));
    const timeoutMs = options?.timeoutMs ?? this.#defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      this.stats.calls++;
      const call = new PendingCall(this.#allocateId(), method, input, performance.now() + timeoutMs, options?.trace, resolve, reject);
      call.auth = options?.auth ?? this.#options.auth;
      call.metadata = mergeMetadata(this.#options.metadata, options?.metadata);
      this.#pending.set(call.id, call);
      // The first pending call refs the sockets; #settle unrefs them after the last one.
      if (this.#pending.size === 1) this.#setReferenced(true);
      if (signal) {
        call.signal = signal;
        call.onAbort = () => this.#cancel(call);
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      if (this.#window === undefined || this.#window.tryAcquire()) this.#start(call);
      else {
        call.queued = true;
        this.#window.enqueue(call);
        this.#schedule(call);
      }
    });
  }

  /** Sends a one-way notification; resolves once handed to the socket. No reply, no retry. */
  notify(method: string, input: unknown, options?: Pick<CallOptions, 'trace' | 'auth' | 'metadata'>): Promise<void> {
    if (this.#closed) return Promise.reject(notSent('CLOSED', 'Client is closed'));
    const auth = options?.auth ?? this.#options.auth;
    const metadata = mergeMetadata(this.#options.metadata, options?.metadata);
    if (this.#options.mode === 'datagram') this.#inDoubt.sent();
    return sendNotification(this.#link, this.#codec, this.#options.target, { method, input, trace: options?.trace, auth, metadata });
  }

  /** Fails every pending call with `CLOSED` and closes the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const call of this.#pending.values()) {
      this.#settle(call, new RpcError('CLOSED', `Client closed while "${call.method}" was pending`, { local: true, notExecuted: !call.sent }));
    }
    this.#timers.clear();
    this.#keepalive.stop();
    this.#link.close();
    this.#fallback?.close();
  }

  #allocateId(): number {
    let id = this.#nextId;
    // Wraps at 2^32; skipping ids still pending keeps replies unambiguous after a wrap.
    while (this.#pending.has(id)) id = id === MAX_MSGID ? 0 : id + 1;
    this.#nextId = id === MAX_MSGID ? 0 : id + 1;
    return id;
  }

  /** Sends a call for the first time (it holds a window slot if the client has a window). */
  #start(call: PendingCall): void {
    call.queued = false;
    call.holdsSlot = this.#window !== undefined;
    this.#sendOn(this.#link, call);
    // Sent synchronously (the usual case): its send time is "now", no need to read the clock again.
    this.#schedule(call, call.attempt > 0 ? call.lastSentAt : performance.now());
  }

  /**
   * Transmits on `link`'s connection, opening it first if needed. `why` says why a call takes the
   * TCP route: a failure to open it then names both facts, not just the refused connection.
   */
  #sendOn(link: ReconnectingConnection, call: PendingCall, why?: string): void {
    const connection = link.current;
    if (connection) this.#transmit(call, connection);
    else {
      link.acquire().then(
        (opened) => this.#transmit(call, opened),
        (error: unknown) => {
          const local = toLocalError(error, this.#options.target, call.sent);
          if (why === undefined) this.#settle(call, local);
          else this.#settle(call, new RpcError(local.code, `${why}; ${describeRouteFailure(this.#options.fallbackTarget, local)}`, { local: true, notExecuted: local.notExecuted, cause: error }));
        },
      );
    }
  }

  #transmit(call: PendingCall, connection: ClientConnection): void {
    if (!this.#isLive(call)) return;
    // One clock read per transmission serves the deadline sent and the RTT sample's start.
    const now = performance.now();
    const udp = this.#options.mode === 'datagram';
    if (call.attempt === 0) call.incarnation = this.#incarnation;
    const meta = requestMeta(call, now, udp ? this.clientId : undefined, udp && connection.mode === 'datagram' ? this.#cookie : undefined);
    let bytes: Buffer;
    try {
      bytes = this.#codec.encode({ kind: KIND.request, id: call.id, method: call.method, input: call.input, meta });
    } catch (cause) {
      // A value MessagePack cannot carry (a function, a BigInt beyond 64 bits, a cycle...).
      this.#settle(call, new RpcError('BAD_REQUEST', `Input of "${call.method}" cannot be encoded: ${(cause as Error).message}`, { cause, local: true, notExecuted: !call.sent }));
      return;
    }
    if (bytes.length > connection.maxMessageBytes) {
      if (connection.mode === 'datagram' && this.#fallback) {
        this.stats.tcpFallbacks++;
        call.onStream = true;
        this.#sendOn(this.#fallback, call, `${bytes.length}-byte request exceeds the ${connection.maxMessageBytes}-byte datagram limit`);
        return;
      }
      const limit = connection.maxMessageBytes;
      this.#settle(call, notSent('PAYLOAD_TOO_LARGE', `Request of ${bytes.length} bytes exceeds the ${limit}-byte ${connection.kind} limit and no TCP route is configured`));
      return;
    }
    if (!connection.send(bytes)) {
      this.#settle(call, new RpcError('UNAVAILABLE', `Connection to ${this.#options.target} is closed`, { local: true, notExecuted: !call.sent }));
      return;
    }
    this.stats.sent++;
    if (connection.mode === 'datagram') this.#inDoubt.sent();
    call.connection = connection;
    call.attempt++;
    call.lastSentAt = now;
  }

  /** Puts the call in the timer queue for whichever comes first: the next retransmission or the deadline. */
  #schedule(call: PendingCall, now = performance.now()): void {
    if (!this.#isLive(call)) return;
    const retransmits = this.#options.mode === 'datagram' && !call.queued && !call.onStream && this.#policy.mayRetransmit(call.attempt);
    call.retransmitAt = retransmits ? now + this.#policy.waitMs(call.attempt) : Number.POSITIVE_INFINITY;
    this.#timers.schedule(call, Math.min(call.retransmitAt, call.deadlineAt) - now, now);
  }

  #onTimer(call: PendingCall): void {
    if (!this.#isLive(call)) return;
    if (performance.now() >= call.deadlineAt - 1) {
      this.stats.timeouts++;
      const message = `"${call.method}" to ${this.#options.target} got no reply within its deadline`;
      this.#settle(call, new RpcError('DEADLINE_EXCEEDED', message, { local: true, notExecuted: !call.sent }));
      return;
    }
    const connection = call.connection ?? this.#link.current;
    if (connection?.mode === 'datagram' && !call.onStream) {
      this.stats.retransmits++;
      this.#options.logger?.debug({ id: call.id, method: call.method, attempt: call.attempt + 1, rtoMs: Math.round(this.#policy.rtt.rtoMs) }, 'retransmitting');
      this.#transmit(call, connection);
    }
    this.#schedule(call);
  }

  #cancel(call: PendingCall): void {
    if (!this.#isLive(call)) return;
    this.stats.cancelled++;
    const wasSent = call.sent;
    if (wasSent && call.connection) {
      // Over UDP the server finds the call by client id, msgid and credentials.
      const meta = this.#options.mode === 'datagram' ? { clientId: this.clientId, ...(call.auth !== undefined && { auth: call.auth }) } : undefined;
      if (call.connection.send(this.#codec.encode({ kind: KIND.cancel, id: call.id, ...(meta && { meta }) })) && call.connection.mode === 'datagram') this.#inDoubt.sent();
    }
    this.#settle(call, new RpcError('CANCELLED', `"${call.method}" was cancelled by the caller`, { local: true, notExecuted: !wasSent, cause: call.signal?.reason }));
  }

  /** Ends a call: with `error`, or with `value` when `error` is undefined (no wrapper object per reply). */
  #settle(call: PendingCall, error: RpcError | undefined, value?: unknown): void {
    if (!this.#isLive(call)) return;
    this.#pending.delete(call.id);
    if (this.#pending.size === 0) this.#setReferenced(false);
    this.#timers.cancel(call);
    if (call.onAbort) call.signal?.removeEventListener('abort', call.onAbort);
    if (this.#retired.size > 0 && call.connection && this.#retired.has(call.connection)) this.#closeIfIdle(call.connection);
    if (call.holdsSlot && this.#window) {
      call.holdsSlot = false;
      const next = this.#window.release(this.#isLive);
      if (next) this.#start(next);
    }
    if (error !== undefined) call.reject(error);
    else call.resolve(value);
  }

  #onMessage(bytes: Buffer, connection: ClientConnection): void {
    if (connection.mode === 'stream') this.#keepalive.heard(connection);
    const decoded = this.#codec.decode(bytes);
    if (!decoded.ok) {
      this.stats.malformedReplies++;
      this.#options.logger?.warn({ reason: decoded.error.error.message }, 'malformed message from server dropped');
      return;
    }
    const envelope: Envelope = decoded.value;
    if (envelope.kind === KIND.response) this.#onResponse(envelope, connection);
    else if (connection.mode === 'datagram') {
      // Ping, pong and goaway are stream-only (protocol.md §7): over UDP anyone can forge the
      // server's address, so a datagram client neither answers them nor drops its socket on them.
      this.stats.strayDatagrams++;
    } else if (envelope.kind === KIND.ping) connection.send(this.#codec.encode({ kind: KIND.pong, id: envelope.id }));
    else if (envelope.kind === KIND.goaway) {
      this.#options.logger?.info({ target: this.#options.target, reason: envelope.reason }, 'server sent goaway; new calls use a new connection');
      (this.#fallback ?? this.#link).retire(connection);
      // The server keeps reading until we close: calls already sent get answered (or refused as
      // not executed); then closing tells it this client is done.
      this.#retired.add(connection);
      this.#closeIfIdle(connection);
    }
  }

  #onResponse(envelope: ResponseEnvelope, connection: ClientConnection): void {
    const call = envelope.id === null ? undefined : this.#pending.get(envelope.id);
    if (call === undefined || call.connection !== connection) {
      this.stats.unmatchedReplies++;
      if (envelope.id === null && envelope.error) this.#options.logger?.warn({ error: envelope.error }, 'server rejected a message it could not read');
      return;
    }
    if (connection.mode === 'datagram') {
      const meta = envelope.meta;
      // Right address and msgid but not our client id: a forgery or a stray reply, never accepted.
      if (meta?.clientId === undefined || !this.clientId.equals(meta.clientId)) {
        this.stats.forgedReplies++;
        return;
      }
      // The echoed attempt says which transmission this answers: a clean RTT sample (Karn, RFC 6298 §3).
      if (meta.attempt === call.attempt) this.#policy.rtt.sample(performance.now() - call.lastSentAt);
      if (meta.attempt !== undefined) this.#inDoubt.arrived(call, meta.attempt);
      const { incarnation } = meta;
      if (incarnation !== undefined && (incarnation !== this.#incarnation || incarnation !== call.incarnation)) this.#onIncarnation(call, incarnation, envelope);
      if (meta.cookie !== undefined) {
        // The server wants proof we receive at this address before sending more than 3× our
        // request: keep its cookie for every later request, and ask again at once.
        this.#cookie = meta.cookie;
        this.stats.cookieChallenges++;
        this.#transmit(call, connection);
        this.#schedule(call);
        return;
      }
      if (meta.truncated) {
        // A duplicate of the truncated answer must not start a second fetch.
        if (call.fetching) this.stats.unmatchedReplies++;
        else this.#fetchTruncated(call);
        return;
      }
    }
    if (envelope.error) this.#settle(call, RpcError.fromWire(envelope.error));
    else this.#settle(call, undefined, envelope.result);
  }

  /**
   * A reply from another incarnation than the last one seen or than the call's: the server
   * restarted (or, behind a balancer, another worker answered); later calls record the new one.
   * A call first sent to the old one and refused by the new one fails "may have executed" (the
   * server says so): counted here.
   */
  #onIncarnation(call: PendingCall, incarnation: number, envelope: ResponseEnvelope): void {
    if (call.incarnation !== undefined && call.incarnation !== incarnation && envelope.error?.code === 'UNAVAILABLE' && envelope.error.notExecuted === false) {
      this.stats.incarnationRefusals++;
    }
    this.#incarnation = incarnation;
  }

  /** The reply did not fit a datagram: ask again over TCP; the server answers from its reply cache. */
  #fetchTruncated(call: PendingCall): void {
    this.stats.truncatedReplies++;
    const why = `Reply to "${call.method}" is too large for a datagram`;
    if (!this.#fallback) {
      const message = `Reply to "${call.method}" is too large for a datagram and no TCP route is configured`;
      this.#settle(call, new RpcError('PAYLOAD_TOO_LARGE', message, { local: true, notExecuted: false }));
      return;
    }
    this.stats.tcpFallbacks++;
    call.fetching = true;
    call.onStream = true;
    call.retransmitAt = Number.POSITIVE_INFINITY;
    this.#sendOn(this.#fallback, call, why);
    this.#timers.schedule(call, call.deadlineAt - performance.now());
  }

  #closeIfIdle(connection: ClientConnection): void {
    for (const call of this.#pending.values()) if (call.connection === connection) return;
    this.#retired.delete(connection);
    connection.close();
  }

  /** Refs (a call is pending) or unrefs (none is) everything that could keep the process alive. */
  #setReferenced(referenced: boolean): void {
    // The timer queue needs nothing: its timer runs only while calls are scheduled, and stops
    // with the last one. The keepalive timer is always unref'd.
    this.#link.setReferenced(referenced);
    this.#fallback?.setReferenced(referenced);
  }

  /**
   * ICMP port-unreachable on the UDP socket: nothing listened when one of our datagrams arrived
   * (the server is down, or not up yet). Every call waiting for a reply on the socket fails now
   * with UNAVAILABLE instead of at its deadline; the socket stays open, so a server that comes up
   * later is reached by the next call. Queued calls and calls on the TCP route are left alone.
   *
   * A call is marked not executed only when the error must have been drawn by it: it was
   * transmitted once, and that transmission is the only datagram in doubt (DatagramsInDoubt).
   * Otherwise — a call retransmitted, or other datagrams in doubt (a burst, a cancel, an
   * unanswered datagram of an earlier call) — the server may have received the call before it
   * went away: "may have executed". A forged ICMP can end calls early with an error, never with
   * a result.
   */
  #onUnreachable(connection: ClientConnection, error: Error): void {
    const sole = this.#inDoubt.blame();
    // A snapshot: settling frees window slots, and calls sent from them did not draw this error.
    for (const call of this.#pending.values()) {
      if (call.connection !== connection || call.onStream) continue;
      const notExecuted = sole && call.attempt === 1;
      const message = `Nothing listens at ${this.#options.target}: the port is unreachable (ICMP)${notExecuted ? '' : `; "${call.method}" may have run before`}`;
      this.#settle(call, new RpcError('UNAVAILABLE', message, { local: true, notExecuted, cause: error }));
    }
  }

  #onConnectionClosed(connection: ClientConnection, reason?: Error): void {
    this.#retired.delete(connection);
    for (const call of this.#pending.values()) {
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
