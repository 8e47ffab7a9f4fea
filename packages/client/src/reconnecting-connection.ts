import type { ClientConnection, ConnectionHandlers } from '@volley/transport';
import { RpcError } from '@volley/wire';
import { RECONNECT_BASE_MS, RECONNECT_MAX_MS } from './constants.js';

/** Opens one connection (a TCP/Unix/memory stream or a UDP socket) with the given handlers. */
export type Connector = (handlers: ConnectionHandlers) => Promise<ClientConnection>;

/** How a {@link ReconnectingConnection} reconnects after a failed connect. */
export interface ReconnectOptions {
  /** First wait after a failure (default 100 ms); doubles per consecutive failure, with jitter. */
  baseMs?: number;
  /** Longest wait (default 5 s). */
  maxMs?: number;
  /** Fail calls at once with UNAVAILABLE while waiting to reconnect, instead of letting them wait within their deadline. */
  failFast?: boolean;
  /** Uniform random in [0, 1) for jitter. */
  random?: () => number;
}

/** What a {@link ReconnectingConnection} reports to its client. */
export interface ConnectionEvents {
  onMessage(message: Buffer, connection: ClientConnection): void;
  onConnectionClosed(connection: ClientConnection, reason?: Error): void;
  /** UDP: the server's port was reported unreachable (ICMP); the connection stays open. */
  onUnreachable?(connection: ClientConnection, error: Error): void;
}

/**
 * Keeps one shared connection to the server: opened on first use, reopened on demand after it
 * closes or after a goaway, so many concurrent calls share one socket. Opening is single-flight:
 * calls that arrive while connecting wait for the same attempt. After a failed connect the next
 * attempt waits an exponentially growing, jittered delay (reset by a success), so a down server
 * is not hammered; calls wait within their own deadline, or fail fast if asked.
 */
export class ReconnectingConnection {
  readonly #connect: Connector;
  readonly #events: ConnectionEvents;
  #current: ClientConnection | undefined;
  #connecting: Promise<ClientConnection> | undefined;
  #closed = false;
  readonly #open = new Set<ClientConnection>();
  readonly #reconnect: ReconnectOptions;
  #failures = 0;
  #retryAt = 0;
  /** Whether its sockets and reconnect wait may keep the process alive: see {@link setReferenced}. */
  #referenced = false;
  #reconnectWait: NodeJS.Timeout | undefined;

  constructor(connect: Connector, events: ConnectionEvents, reconnect: ReconnectOptions = {}) {
    this.#connect = connect;
    this.#events = events;
    this.#reconnect = reconnect;
  }

  /** The connection to use now, if one is open (the synchronous fast path). */
  get current(): ClientConnection | undefined {
    return this.#current;
  }

  /** Resolves with an open connection, opening one if needed; rejects with the connect error. */
  acquire(): Promise<ClientConnection> {
    if (this.#current) return Promise.resolve(this.#current);
    this.#connecting ??= this.#openWithBackoff().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /** Every connection it has open, retired ones included. */
  connections(): Iterable<ClientConnection> {
    return this.#open;
  }

  /**
   * Ref (true) or unref (false) every socket it holds, those opened later and the wait before
   * a reconnect: the client refs them while calls are pending, so an idle client never keeps the
   * process alive. A socket being opened stays ref'd until it is open (it is opened for a call).
   */
  setReferenced(referenced: boolean): void {
    this.#referenced = referenced;
    for (const connection of this.#open) this.#applyRef(connection);
    if (referenced) this.#reconnectWait?.ref();
    else this.#reconnectWait?.unref();
  }

  #applyRef(connection: ClientConnection): void {
    if (this.#referenced) connection.ref?.();
    else connection.unref?.();
  }

  /** Takes no new calls on `connection` (server said goaway); in-flight calls stay on it. */
  retire(connection: ClientConnection): void {
    if (this.#current === connection) this.#current = undefined;
  }

  /** Closes every connection; later `acquire` calls reject. */
  close(): void {
    this.#closed = true;
    this.#current = undefined;
    for (const connection of this.#open) connection.close();
    this.#open.clear();
  }

  async #openWithBackoff(): Promise<ClientConnection> {
    if (this.#closed) throw new Error('link closed');
    const wait = this.#retryAt - performance.now();
    if (wait > 0) {
      if (this.#reconnect.failFast) {
        throw new RpcError(
          'UNAVAILABLE',
          `Reconnecting in ${Math.ceil(wait)} ms after ${this.#failures} failed attempt(s)`,
          { local: true, notExecuted: true },
        );
      }
      await new Promise((resolve) => {
        this.#reconnectWait = setTimeout(resolve, Math.ceil(wait));
        if (!this.#referenced) this.#reconnectWait.unref();
      });
      this.#reconnectWait = undefined;
      if (this.#closed) throw new Error('link closed');
    }
    let connection: ClientConnection;
    try {
      connection = await this.#connectOnce();
    } catch (error) {
      this.#failures++;
      const base = this.#reconnect.baseMs ?? RECONNECT_BASE_MS;
      const delay = Math.min(this.#reconnect.maxMs ?? RECONNECT_MAX_MS, base * 2 ** (this.#failures - 1));
      this.#retryAt = performance.now() + delay * (1 + 0.25 * (this.#reconnect.random ?? Math.random)());
      throw error;
    }
    this.#failures = 0;
    this.#retryAt = 0;
    return connection;
  }

  async #connectOnce(): Promise<ClientConnection> {
    let connection: ClientConnection | undefined;
    let closedEarly: Error | undefined | null = null;
    connection = await this.#connect({
      onMessage: (message) => {
        if (connection) this.#events.onMessage(message, connection);
      },
      onClose: (reason) => {
        if (!connection) {
          closedEarly = reason;
          return;
        }
        this.#open.delete(connection);
        if (this.#current === connection) this.#current = undefined;
        this.#events.onConnectionClosed(connection, reason);
      },
      onUnreachable: (error) => {
        if (connection) this.#events.onUnreachable?.(connection, error);
      },
    });
    if (this.#closed || closedEarly !== null) {
      connection.close();
      throw closedEarly ?? new Error('link closed');
    }
    this.#open.add(connection);
    this.#applyRef(connection);
    this.#current = connection;
    return connection;
  }
}
