import type { ClientConnection } from '@volley/transport';
import { KIND, type ResponseEnvelope, RpcError } from '@volley/wire';
import type { CallHost, CallPath, FallbackRoute } from '../call-path.js';
import type { ClientCoreOptions } from '../client-core-options.js';
import { DEFAULT_MAX_OUTSTANDING } from '../constants.js';
import { requestTooLarge, toLocalError } from '../local-errors.js';
import { type Notification, sendNotification } from '../notification.js';
import type { PendingCall } from '../pending-call.js';
import { type Connector, ReconnectingConnection, type ReconnectOptions } from '../reconnecting-connection.js';
import { DatagramsInDoubt } from './datagrams-in-doubt.js';
import { IncarnationLearner } from './incarnation-learner.js';
import { OutstandingWindow } from './outstanding-window.js';
import { type RetransmitOptions, RetransmitPolicy } from './retransmit-policy.js';

/** How a {@link DatagramCallPath} paces its calls, and what its incarnation probe needs. */
export interface DatagramPathOptions extends Pick<ClientCoreOptions, 'procedures' | 'auth' | 'metadata'> {
  retransmit?: RetransmitOptions;
  /** Calls outstanding at once; later ones wait their turn (default 256). */
  maxOutstanding?: number;
  /** Backoff for reopening the socket. */
  reconnect?: ReconnectOptions;
}

/**
 * Calls over one UDP socket aimed at the server, made dependable here: each call is retransmitted
 * with the same msgid on an adaptive, jittered, doubling schedule within its deadline; at most
 * `maxOutstanding` are in flight; a reply counts only if it echoes this client's id; a cookie
 * challenge is answered at once; a reply too large for a datagram is fetched over the TCP route,
 * which also carries requests too large for one; an ICMP port-unreachable fails the calls waiting
 * on the socket at once; retransmissions echo the server's incarnation (IncarnationLearner).
 */
export class DatagramCallPath implements CallPath {
  readonly #host: CallHost;
  readonly #socket: ReconnectingConnection;
  readonly #fallback: FallbackRoute | undefined;
  readonly #policy: RetransmitPolicy;
  readonly #window: OutstandingWindow<PendingCall>;
  /** Datagrams that could have drawn an ICMP port-unreachable (see {@link #onUnreachable}). */
  readonly #inDoubt = new DatagramsInDoubt();
  /** The server's address cookie, once it challenged us (anti-amplification). */
  #cookie: Uint8Array | undefined;
  /** The server's incarnation, which calls echo (PendingCall.incarnation). Per server, like the cookie. */
  readonly #learner: IncarnationLearner;

  constructor(connect: Connector, host: CallHost, options: DatagramPathOptions, fallback: FallbackRoute | undefined) {
    this.#host = host;
    this.#fallback = fallback;
    const events = {
      onMessage: (message: Buffer, connection: ClientConnection) => this.#onMessage(message, connection),
      onConnectionClosed: (connection: ClientConnection, reason?: Error) => host.failCallsOn(connection, reason),
      onUnreachable: (connection: ClientConnection, error: Error) => this.#onUnreachable(connection, error),
    };
    this.#socket = new ReconnectingConnection(connect, events, options.reconnect);
    this.#policy = new RetransmitPolicy(options.retransmit);
    this.#window = new OutstandingWindow(options.maxOutstanding ?? DEFAULT_MAX_OUTSTANDING);
    this.#learner = new IncarnationLearner(host, options, {
      transmit: (call, connection) => this.#transmit(call, connection),
      schedule: (call, now) => this.#schedule(call, now),
      waitMs: (attempt) => this.#policy.waitMs(attempt),
    });
  }

  get rtoMs(): number {
    return this.#policy.rtt.rtoMs;
  }

  start(call: PendingCall): void {
    if (this.#window.tryAcquire()) this.#send(call);
    else {
      call.queued = true;
      this.#window.enqueue(call);
      this.#schedule(call);
    }
  }

  onTimer(call: PendingCall): void {
    // A call moved to the TCP route is never retransmitted: the stream delivers it.
    const connection = call.onStream ? undefined : (call.connection ?? this.#socket.current);
    // A held call's wait is over; a call that knows no incarnation may have to wait for the probe.
    if (call.held) this.#learner.unhold(call);
    else if (call.incarnation === undefined && this.#learner.holds(call)) return;
    if (connection) {
      this.#host.stats.retransmits++;
      call.onEvent?.('volley.retransmit', { 'volley.attempt': call.attempt + 1 });
      this.#host.logger?.debug(
        { id: call.id, method: call.method, attempt: call.attempt + 1, rtoMs: Math.round(this.#policy.rtt.rtoMs) },
        'retransmitting',
      );
      this.#transmit(call, connection);
    }
    this.#schedule(call);
  }

  cancel(call: PendingCall, connection: ClientConnection): void {
    // The server finds the call by client id, msgid and credentials, on either route.
    const meta = { clientId: this.#host.clientId, ...(call.auth !== undefined && { auth: call.auth }) };
    if (
      connection.send(this.#host.codec.encode({ kind: KIND.cancel, id: call.id, meta })) &&
      connection.mode === 'datagram'
    )
      this.#inDoubt.sent();
  }

  release(call: PendingCall): void {
    this.#learner.forget(call);
    if (call.onStream) this.#fallback?.release(call);
    if (call.holdsSlot) {
      call.holdsSlot = false;
      const next = this.#window.release(this.#host.isLive);
      if (next) this.#send(next);
    }
  }

  notify(notification: Notification): Promise<void> {
    this.#inDoubt.sent();
    return sendNotification(this.#socket, this.#host.codec, this.#host.target, notification);
  }

  setReferenced(referenced: boolean): void {
    this.#socket.setReferenced(referenced);
    this.#fallback?.setReferenced(referenced);
  }

  close(): void {
    this.#socket.close();
    this.#fallback?.close();
  }

  /** Sends a call for the first time, holding a window slot. */
  #send(call: PendingCall): void {
    call.queued = false;
    call.holdsSlot = true;
    const connection = this.#socket.current;
    if (connection) this.#transmit(call, connection);
    else {
      this.#socket.acquire().then(
        (opened) => this.#transmit(call, opened),
        (error: unknown) => this.#host.settle(call, toLocalError(error, this.#host.target, call.sent)),
      );
    }
    // Sent synchronously (the usual case): its send time is "now", no need to read the clock again.
    this.#schedule(call, call.attempt > 0 ? call.lastSentAt : performance.now());
  }

  #transmit(call: PendingCall, connection: ClientConnection): void {
    const host = this.#host;
    if (!host.isLive(call)) return;
    // One clock read per transmission serves the deadline sent and the RTT sample's start.
    let now = performance.now();
    const first = call.attempt === 0;
    if (first) call.incarnation = this.#learner.known;
    const bytes = host.encodeRequest(call, now, host.clientId, this.#cookie);
    if (bytes === undefined) return;
    if (bytes.length <= connection.maxMessageBytes) {
      // The call leaves no earlier than a probe sent for it, so it may adopt the probe's answer.
      if (first && call.incarnation === undefined && this.#learner.probeFor(call, connection)) now = performance.now();
      if (!host.sendRequest(call, connection, bytes, now)) return;
      if (!first) this.#inDoubt.sent();
      else {
        // A probe's first datagram shares the doubt of the call it precedes (IncarnationLearner.probeFor).
        if (!call.internal) this.#inDoubt.sent();
        call.firstSentAt = now;
        if (call.incarnation === undefined) this.#learner.sentBlind(call);
      }
    } else if (this.#fallback === undefined) host.settle(call, requestTooLarge(bytes.length, connection));
    else {
      host.stats.tcpFallbacks++;
      call.onEvent?.('volley.tcp_fallback', { 'volley.request.bytes': bytes.length });
      call.onStream = true;
      this.#fallback.send(
        call,
        `${bytes.length}-byte request exceeds the ${connection.maxMessageBytes}-byte datagram limit`,
      );
    }
  }

  /** Puts the call in the timer queue for whichever comes first: the next retransmission or the deadline. */
  #schedule(call: PendingCall, now = performance.now()): void {
    if (!this.#host.isLive(call)) return;
    const retransmits = !call.queued && !call.onStream && this.#policy.mayRetransmit(call.attempt);
    call.retransmitAt = retransmits ? now + this.#policy.waitMs(call.attempt) : Number.POSITIVE_INFINITY;
    this.#host.schedule(call, Math.min(call.retransmitAt, call.deadlineAt) - now, now);
  }

  #onMessage(bytes: Buffer, connection: ClientConnection): void {
    const host = this.#host;
    const envelope = host.decode(bytes);
    if (envelope === undefined) return;
    if (envelope.kind !== KIND.response) {
      // Ping, pong and goaway are stream-only (protocol.md §7): over UDP anyone can forge the
      // server's address, so a datagram client neither answers them nor drops its socket on them.
      host.stats.strayDatagrams++;
      return;
    }
    const call = host.match(envelope, connection);
    if (call === undefined) return;
    const meta = envelope.meta;
    // Right address and msgid but not our client id: a forgery or a stray reply, never accepted.
    if (meta?.clientId === undefined || !host.clientId.equals(meta.clientId)) {
      host.stats.forgedReplies++;
      return;
    }
    // The echoed attempt says which transmission this answers: a clean RTT sample (Karn, RFC 6298 §3).
    if (meta.attempt === call.attempt) this.#policy.rtt.sample(performance.now() - call.lastSentAt);
    if (meta.attempt !== undefined) this.#inDoubt.arrived(call, meta.attempt);
    // Answered while its retransmission waits for the probe: this reply decides what comes next.
    if (call.held) this.#learner.unhold(call);
    if (meta.incarnation !== undefined) this.#onIncarnation(call, meta.incarnation, envelope, meta.attempt);
    if (meta.cookie !== undefined) {
      // The server wants proof we receive at this address before sending more than 3× our
      // request: keep its cookie for every later request, and ask again at once.
      this.#cookie = meta.cookie;
      host.stats.cookieChallenges++;
      call.onEvent?.('volley.cookie_challenge');
      this.#transmit(call, connection);
      this.#schedule(call);
      return;
    }
    // An incarnation probe that has just done its job was ended (its cookie, if any, is kept).
    if (!host.isLive(call)) return;
    if (meta.truncated) {
      // A duplicate of the truncated answer must not start a second fetch.
      if (call.fetching) host.stats.unmatchedReplies++;
      else this.#fetchTruncated(call);
      return;
    }
    host.answer(call, envelope);
  }

  /**
   * A reply carried the incarnation of the process that received the transmission it answers;
   * later calls record it, blind ones may adopt it. One from another incarnation than the call's:
   * the server restarted (or another worker answered); a call first sent to the old one and
   * refused by the new one fails "may have executed" (the server says so): counted here.
   */
  #onIncarnation(call: PendingCall, incarnation: number, envelope: ResponseEnvelope, attempt?: number): void {
    if (
      call.incarnation !== undefined &&
      call.incarnation !== incarnation &&
      envelope.error?.code === 'UNAVAILABLE' &&
      envelope.error.notExecuted === false
    ) {
      this.#host.stats.incarnationRefusals++;
    }
    // When that transmission left: exactly, for the first or the latest attempt; else no later than the latest.
    this.#learner.learn(incarnation, attempt === 1 ? call.firstSentAt : call.lastSentAt);
  }

  /** The reply did not fit a datagram: ask again over TCP; the server answers from its reply cache. */
  #fetchTruncated(call: PendingCall): void {
    const host = this.#host;
    host.stats.truncatedReplies++;
    call.onEvent?.('volley.reply.truncated');
    if (!this.#fallback) {
      const message = `Reply to "${call.method}" is too large for a datagram and no TCP route is configured`;
      host.settle(call, new RpcError('PAYLOAD_TOO_LARGE', message, { local: true, notExecuted: false }));
      return;
    }
    host.stats.tcpFallbacks++;
    call.fetching = true;
    call.onStream = true;
    call.retransmitAt = Number.POSITIVE_INFINITY;
    this.#fallback.send(call, `Reply to "${call.method}" is too large for a datagram`);
    host.schedule(call, call.deadlineAt - performance.now());
  }

  /**
   * ICMP port-unreachable on the socket: nothing listened when one of our datagrams arrived (the
   * server is down, or not up yet). Every call waiting for a reply on the socket fails now with
   * UNAVAILABLE instead of at its deadline; the socket stays open, so a server that comes up
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
    for (const call of this.#host.pendingCalls()) {
      if (call.connection !== connection || call.onStream) continue;
      const notExecuted = sole && call.attempt === 1;
      const message = `Nothing listens at ${this.#host.target}: the port is unreachable (ICMP)${notExecuted ? '' : `; "${call.method}" may have run before`}`;
      this.#host.settle(call, new RpcError('UNAVAILABLE', message, { local: true, notExecuted, cause: error }));
    }
  }
}
