import {
  DEFAULT_REPLY_CACHE_MAX_BYTES,
  DEFAULT_REPLY_CACHE_MAX_ENTRIES,
  REPLY_CACHE_DEFAULT_TTL_MS,
  REPLY_CACHE_ENTRY_OVERHEAD_BYTES,
  REPLY_CACHE_MAX_TTL_MS,
  REPLY_CACHE_SLACK_MS,
} from './constants.js';

/** Limits of a {@link ReplyCache}. */
export interface ReplyCacheOptions {
  /** Most bytes held (replies plus per-entry overhead); default 32 MiB. */
  maxBytes?: number;
  /** Most entries held; default 100 000. */
  maxEntries?: number;
}

/** What a reply cache has done, for `server.stats`. */
export interface ReplyCacheCounters {
  hits: number;
  /** Entries dropped before expiry to stay within a cap: a retransmission of those could run again. */
  evictions: number;
  expired: number;
}

interface CachedReply {
  /** The encoded response without metadata; metadata is appended per resend. */
  readonly body: Buffer;
  readonly expiresAt: number;
  readonly bytes: number;
}

/**
 * The *done* half of at-most-once execution over UDP (the *in progress* half is the server's
 * call table): finished replies keyed by `<client id>/<msgid>`, so a retransmission gets the
 * same reply instead of a second execution (ONC RPC's duplicate request cache, CoAP §4.5).
 *
 * Entries live until the caller's deadline plus {@link REPLY_CACHE_SLACK_MS}. A Map keeps
 * insertion order, which is nearly expiry order (deadlines are similar), so expired entries are
 * swept from the front and, when a cap is hit, the oldest go first. Both caps always hold.
 */
export class ReplyCache {
  readonly counters: ReplyCacheCounters = { hits: 0, evictions: 0, expired: 0 };
  readonly #entries = new Map<string, CachedReply>();
  readonly #maxBytes: number;
  readonly #maxEntries: number;
  #bytes = 0;

  constructor(options: ReplyCacheOptions = {}) {
    this.#maxBytes = options.maxBytes ?? DEFAULT_REPLY_CACHE_MAX_BYTES;
    this.#maxEntries = options.maxEntries ?? DEFAULT_REPLY_CACHE_MAX_ENTRIES;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Bytes held, as counted against `maxBytes`. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The cached reply body for `key`, if present and not expired; counts a hit. */
  get(key: string, now: number): Buffer | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#remove(key, entry);
      this.counters.expired++;
      return undefined;
    }
    this.counters.hits++;
    return entry.body;
  }

  /**
   * Stores a reply for the caller's remaining `deadlineMs` plus slack. A reply bigger than the
   * whole byte cap is not stored (it could only evict everything else).
   */
  set(key: string, body: Buffer, deadlineMs: number | undefined, now: number): void {
    const bytes = body.length + key.length * 2 + REPLY_CACHE_ENTRY_OVERHEAD_BYTES;
    const previous = this.#entries.get(key);
    if (previous) this.#remove(key, previous);
    if (bytes > this.#maxBytes) {
      this.counters.evictions++;
      return;
    }
    const ttl = Math.min((deadlineMs ?? REPLY_CACHE_DEFAULT_TTL_MS) + REPLY_CACHE_SLACK_MS, REPLY_CACHE_MAX_TTL_MS);
    this.#sweep(now);
    while (this.#entries.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes) this.#evictOldest();
    this.#entries.set(key, { body, expiresAt: now + ttl, bytes });
    this.#bytes += bytes;
  }

  /** Drops expired entries from the front (the oldest), stopping at the first live one. */
  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) return;
      this.#remove(key, entry);
      this.counters.expired++;
    }
  }

  #evictOldest(): void {
    for (const [key, entry] of this.#entries) {
      this.#remove(key, entry);
      this.counters.evictions++;
      return;
    }
  }

  #remove(key: string, entry: CachedReply): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
