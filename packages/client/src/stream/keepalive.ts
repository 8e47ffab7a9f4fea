import type { ClientConnection } from '@volley/transport';

/** When to ping a stream connection and when to give up on it. */
export interface KeepaliveOptions {
  /** Ping a connection with calls pending after this long without hearing from it (default 10 s; 0 disables). */
  intervalMs?: number;
  /** Drop it if nothing at all arrives this long after the ping (default 5 s). */
  timeoutMs?: number;
}

/** What the keepalive needs from the client. */
export interface KeepaliveHost {
  /** Open stream connections. */
  connections(): Iterable<ClientConnection>;
  /** True while the connection has calls waiting for replies. */
  hasPending(connection: ClientConnection): boolean;
  /** Sends a ping on the connection. */
  ping(connection: ClientConnection): void;
  /** Called when a connection is dropped as dead. */
  onDead(connection: ClientConnection, silentMs: number): void;
}

interface Heard {
  lastHeardAt: number;
  pingSentAt: number | undefined;
}

/**
 * Finds dead stream peers while calls wait on them: a connection silent for `intervalMs` with
 * calls pending gets a ping; if nothing at all comes back within `timeoutMs` it is destroyed,
 * and its calls fail at once with UNAVAILABLE instead of waiting out their deadlines. Idle
 * connections are not pinged: the server's idle timeout may close them, and the next call
 * reconnects. One unref'd timer per client checks every connection.
 */
export class Keepalive {
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #host: KeepaliveHost;
  readonly #heard = new WeakMap<ClientConnection, Heard>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: KeepaliveOptions, host: KeepaliveHost) {
    this.#intervalMs = options.intervalMs ?? 10_000;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#host = host;
  }

  /** Something arrived on the connection: it is alive. */
  heard(connection: ClientConnection): void {
    const state = this.#heard.get(connection);
    if (state) {
      state.lastHeardAt = performance.now();
      state.pingSentAt = undefined;
    } else this.#heard.set(connection, { lastHeardAt: performance.now(), pingSentAt: undefined });
  }

  /** Starts checking (idempotent); the timer does not keep the process alive. */
  start(): void {
    if (this.#intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => this.#check(), Math.max(10, Math.min(this.#intervalMs, this.#timeoutMs) / 2));
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const now = performance.now();
    for (const connection of this.#host.connections()) {
      if (connection.mode === 'datagram' || !this.#host.hasPending(connection)) continue;
      let state = this.#heard.get(connection);
      if (state === undefined) {
        state = { lastHeardAt: now, pingSentAt: undefined };
        this.#heard.set(connection, state);
      }
      if (state.pingSentAt !== undefined) {
        if (now - state.pingSentAt >= this.#timeoutMs)
          this.#host.onDead(connection, Math.round(now - state.lastHeardAt));
      } else if (now - state.lastHeardAt >= this.#intervalMs) {
        state.pingSentAt = now;
        this.#host.ping(connection);
      }
    }
  }
}
