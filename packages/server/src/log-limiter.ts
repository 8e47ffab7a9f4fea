import type { Logger } from '@volley/router';
import { LOG_SUMMARY_WINDOW_MS } from './constants.js';
import { type LevelCheck, levelCheckOf } from './level-check.js';

/** The pino levels the server writes through a limiter. */
export type LimitedLevel = 'debug' | 'info' | 'warn' | 'error';

interface Window {
  startedAt: number;
  suppressed: number;
  level: LimitedLevel;
  message: string;
  fields: object;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Keeps attack traffic from flooding the log: per event (a fixed key, such as a message and an
 * error code), the first line of each window is written at once; later ones within the window
 * are only counted, and one line says how many when the window ends:
 *
 * ```
 *  t=0 s   malformed envelope {peer, reason}                    ← first occurrence, as it was
 *  t=10 s  malformed envelope: 98 117 more in the last 10 s {peer, reason, suppressed}  ← last one's fields
 * ```
 *
 * Keys must come from a small fixed set (messages and codes), never from peer data, so the
 * limiter's own memory stays bounded. The summary timer is unref'd: it never keeps a process up.
 * The server's counters (`server.stats`) still count every event.
 */
export class LogLimiter {
  readonly #logger: Logger;
  readonly #enabled: LevelCheck;
  readonly #windowMs: number;
  readonly #windows = new Map<string, Window>();

  constructor(logger: Logger, windowMs: number = LOG_SUMMARY_WINDOW_MS) {
    this.#logger = logger;
    this.#enabled = levelCheckOf(logger);
    this.#windowMs = windowMs;
  }

  /** Whether the logger writes `level`: test it before building costly fields. */
  enabled(level: LimitedLevel): boolean {
    return this.#enabled(level);
  }

  /** Writes `message` at `level` unless this `key` already wrote one in the current window. */
  log(level: LimitedLevel, key: string, fields: object, message: string): void {
    if (!this.#enabled(level)) return;
    const now = performance.now();
    const window = this.#windows.get(key);
    if (window !== undefined && now - window.startedAt < this.#windowMs) {
      window.suppressed++;
      window.level = level;
      window.fields = fields;
      window.timer ??= setTimeout(() => this.#summarise(key), this.#windowMs - (now - window.startedAt)).unref();
      return;
    }
    if (window !== undefined) this.#summarise(key);
    this.#windows.set(key, { startedAt: now, suppressed: 0, level, message, fields, timer: undefined });
    this.#logger[level](fields, message);
  }

  /** Writes every pending summary now (when the server closes). */
  flush(): void {
    for (const key of [...this.#windows.keys()]) this.#summarise(key);
  }

  #summarise(key: string): void {
    const window = this.#windows.get(key);
    if (window === undefined) return;
    clearTimeout(window.timer);
    this.#windows.delete(key);
    if (window.suppressed === 0) return;
    const seconds = this.#windowMs / 1000;
    this.#logger[window.level](
      { ...window.fields, suppressed: window.suppressed, windowMs: this.#windowMs },
      `${window.message}: ${window.suppressed} more in the last ${seconds} s`,
    );
  }
}
