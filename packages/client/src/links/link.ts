import type { ClientConnection, ConnectionHandlers } from '@volley/transport';

/** Opens one connection (a TCP/Unix/memory stream or a UDP socket) with the given handlers. */
export type Connector = (handlers: ConnectionHandlers) => Promise<ClientConnection>;

/** What a {@link Link} reports to its client. */
export interface LinkEvents {
  onMessage(message: Buffer, connection: ClientConnection): void;
  onConnectionClosed(connection: ClientConnection, reason?: Error): void;
}

/**
 * Keeps one shared connection to the server: opened on first use, reopened on demand after it
 * closes or after a goaway, so many concurrent calls share one socket. Opening is single-flight:
 * calls that arrive while connecting wait for the same attempt.
 */
export class Link {
  readonly #connect: Connector;
  readonly #events: LinkEvents;
  #current: ClientConnection | undefined;
  #connecting: Promise<ClientConnection> | undefined;
  #closed = false;
  readonly #open = new Set<ClientConnection>();

  constructor(connect: Connector, events: LinkEvents) {
    this.#connect = connect;
    this.#events = events;
  }

  /** The connection to use now, if one is open (the synchronous fast path). */
  get current(): ClientConnection | undefined {
    return this.#current;
  }

  /** Resolves with an open connection, opening one if needed; rejects with the connect error. */
  acquire(): Promise<ClientConnection> {
    if (this.#current) return Promise.resolve(this.#current);
    this.#connecting ??= this.#open1().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
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

  async #open1(): Promise<ClientConnection> {
    if (this.#closed) throw new Error('link closed');
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
    });
    if (this.#closed || closedEarly !== null) {
      connection.close();
      throw closedEarly ?? new Error('link closed');
    }
    this.#open.add(connection);
    this.#current = connection;
    return connection;
  }
}
