import type { ClientConnection } from '@volley/transport';
import { KIND, RpcError } from '@volley/wire';
import type { CallHost, CallPath, FallbackRoute } from '../call-path.js';
import { describeRouteFailure, requestTooLarge, toLocalError } from '../local-errors.js';
import { type Notification, sendNotification } from '../notification.js';
import type { PendingCall } from '../pending-call.js';
import { type Connector, ReconnectingConnection, type ReconnectOptions } from '../reconnecting-connection.js';
import { Keepalive, type KeepaliveOptions } from './keepalive.js';

/** How a {@link StreamCallPath} keeps its connection. */
export interface StreamPathOptions {
  keepalive?: KeepaliveOptions;
  reconnect?: ReconnectOptions;
  /**
   * Set when the path is a UDP client's TCP route: its requests and cancels keep the client's
   * datagram identity (client id, attempt, fetch-only), so the server finds a truncated reply in
   * its reply cache and a cancel finds its call.
   */
  clientId?: Buffer;
  /** The route's URL, named in the error when it cannot be opened for a call moved to it. */
  routeTarget?: string;
}

/**
 * Calls over one multiplexed stream connection (TCP, TLS, Unix, memory): sent once, never
 * retransmitted (the stream is reliable), answered in any order. The connection is reopened on
 * demand; keepalive pings find a dead peer while calls wait; after a goaway new calls take a new
 * connection and the old one is closed once its last call is answered. Ping and goaway are
 * stream-only messages (protocol.md §7). Serves as a client's path, or as a UDP client's TCP
 * route ({@link FallbackRoute}).
 */
export class StreamCallPath implements CallPath, FallbackRoute {
  readonly rtoMs = undefined;
  readonly #host: CallHost;
  readonly #route: ReconnectingConnection;
  readonly #keepalive: Keepalive;
  readonly #clientId: Buffer | undefined;
  readonly #routeTarget: string | undefined;
  /** Connections the server sent goaway on, closed once their last call is answered. */
  readonly #retired = new Set<ClientConnection>();
  #nextPingId = 0;

  constructor(connect: Connector, host: CallHost, options: StreamPathOptions) {
    this.#host = host;
    this.#clientId = options.clientId;
    this.#routeTarget = options.routeTarget;
    const events = {
      onMessage: (message: Buffer, connection: ClientConnection) => this.#onMessage(message, connection),
      onConnectionClosed: (connection: ClientConnection, reason?: Error) => {
        this.#retired.delete(connection);
        host.failCallsOn(connection, reason);
      },
    };
    this.#route = new ReconnectingConnection(connect, events, options.reconnect);
    this.#keepalive = new Keepalive(options.keepalive ?? {}, {
      connections: () => this.#route.connections(),
      hasPending: (connection) => host.pendingCalls().some((call) => call.connection === connection),
      ping: (connection) => connection.send(host.codec.encode({ kind: KIND.ping, id: this.#nextPingId++ })),
      onDead: (connection, silentMs) => {
        host.logger?.warn({ target: host.target, silentMs }, 'no answer to keepalive ping: dropping the connection');
        if (connection.mode === 'stream' && connection.destroy)
          connection.destroy(new Error(`No answer to a keepalive ping after ${silentMs} ms of silence`));
        else connection.close();
      },
    });
    this.#keepalive.start();
  }

  start(call: PendingCall): void {
    this.send(call);
    // Sent synchronously (the usual case): its send time is "now", no need to read the clock again.
    this.#schedule(call, call.attempt > 0 ? call.lastSentAt : performance.now());
  }

  /**
   * Transmits on the current connection, opening one first if needed. `why` says why a call takes
   * this route (a UDP client's large request or truncated reply): a failure to open it then names
   * both facts, not just the refused connection.
   */
  send(call: PendingCall, why?: string): void {
    const connection = this.#route.current;
    if (connection) this.#transmit(call, connection);
    else {
      this.#route.acquire().then(
        (opened) => this.#transmit(call, opened),
        (error: unknown) => {
          const local = toLocalError(error, this.#host.target, call.sent);
          if (why === undefined) this.#host.settle(call, local);
          else
            this.#host.settle(
              call,
              new RpcError(local.code, `${why}; ${describeRouteFailure(this.#routeTarget, local)}`, {
                local: true,
                notExecuted: local.notExecuted,
                cause: error,
              }),
            );
        },
      );
    }
  }

  /** A stream call's only timer is its deadline, which the core handles: this is an early wake. */
  onTimer(call: PendingCall): void {
    this.#schedule(call);
  }

  cancel(call: PendingCall, connection: ClientConnection): void {
    // On a UDP client's TCP route the server finds the call by client id, msgid and credentials.
    const meta =
      this.#clientId === undefined
        ? undefined
        : { clientId: this.#clientId, ...(call.auth !== undefined && { auth: call.auth }) };
    connection.send(this.#host.codec.encode({ kind: KIND.cancel, id: call.id, ...(meta && { meta }) }));
  }

  release(call: PendingCall): void {
    if (this.#retired.size > 0 && call.connection && this.#retired.has(call.connection))
      this.#closeIfIdle(call.connection);
  }

  notify(notification: Notification): Promise<void> {
    return sendNotification(this.#route, this.#host.codec, this.#host.target, notification);
  }

  setReferenced(referenced: boolean): void {
    this.#route.setReferenced(referenced);
  }

  close(): void {
    this.#keepalive.stop();
    this.#route.close();
  }

  #transmit(call: PendingCall, connection: ClientConnection): void {
    const host = this.#host;
    if (!host.isLive(call)) return;
    // One clock read per transmission serves the deadline sent and the RTT sample's start.
    const now = performance.now();
    const bytes = host.encodeRequest(call, now, this.#clientId, undefined);
    if (bytes === undefined) return;
    if (bytes.length > connection.maxMessageBytes) host.settle(call, requestTooLarge(bytes.length, connection));
    else host.sendRequest(call, connection, bytes, now);
  }

  #schedule(call: PendingCall, now = performance.now()): void {
    if (this.#host.isLive(call)) this.#host.schedule(call, call.deadlineAt - now, now);
  }

  #onMessage(bytes: Buffer, connection: ClientConnection): void {
    this.#keepalive.heard(connection);
    const host = this.#host;
    const envelope = host.decode(bytes);
    if (envelope === undefined) return;
    if (envelope.kind === KIND.response) {
      const call = host.match(envelope, connection);
      if (call !== undefined) host.answer(call, envelope);
    } else if (envelope.kind === KIND.ping) connection.send(host.codec.encode({ kind: KIND.pong, id: envelope.id }));
    else if (envelope.kind === KIND.goaway) {
      host.logger?.info(
        { target: host.target, reason: envelope.reason },
        'server sent goaway; new calls use a new connection',
      );
      this.#route.retire(connection);
      // The server keeps reading until we close: calls already sent get answered (or refused as
      // not executed); then closing tells it this client is done.
      this.#retired.add(connection);
      this.#closeIfIdle(connection);
    }
  }

  #closeIfIdle(connection: ClientConnection): void {
    for (const call of this.#host.pendingCalls()) if (call.connection === connection) return;
    this.#retired.delete(connection);
    connection.close();
  }
}
