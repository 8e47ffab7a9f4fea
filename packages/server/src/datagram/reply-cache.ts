import {
  DEFAULT_REPLY_CACHE_MAX_BYTES,
  DEFAULT_REPLY_CACHE_MAX_ENTRIES,
  REPLY_CACHE_DEFAULT_TTL_MS,
  REPLY_CACHE_ENTRY_OVERHEAD_BYTES,
  REPLY_CACHE_MAX_TTL_MS,
  REPLY_CACHE_SLACK_MS,
} from '../constants.js';

/** Limits of a {@link ReplyCache}. */
export interface ReplyCacheOptions {
  /** Most bytes held (replies plus per-entry overhead); default 48 MiB. */
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
  readonly key: string;
  /** The encoded response without metadata; metadata is appended per resend. */
  readonly body: Buffer;
  readonly expiresAt: number;
  readonly bytes: number;
}

/**
 * The *done* half of at-most-once execution over UDP (the *in progress* half is AtMostOnce's
 * running calls): finished replies under the call's key (reply-cache-key.ts), so a retransmission gets the
 * same reply instead of a second execution (ONC RPC's duplicate request cache, CoAP §4.5).
 *
 * ```
 *  #order: [e1][e2][e3][e4]...      oldest first (arrival order ≈ expiry order: deadlines are similar)
 *           ▲ #head                 entries replaced or removed stay as stale slots, skipped when
 *  #entries: key → entry            reached (the Map no longer points at them); compacted when
 *                                   the head passes half the array
 * ```
 *
 * Entries live until the caller's deadline plus {@link REPLY_CACHE_SLACK_MS}; expired ones are
 * dropped from the front and, when a cap is hit, the oldest go first. Every operation is O(1)
 * amortised (iterating a Map from the front instead walks every deleted slot V8 has not yet
 * rehashed away: 35–135 µs per insert at 100 000 entries). Both caps always hold.
 */
export class ReplyCache {
  readonly counters: ReplyCacheCounters = { hits: 0, evictions: 0, expired: 0 };
  readonly #entries = new Map<string, CachedReply>();
  #order: (CachedReply | undefined)[] = [];
  #head = 0;
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

  /**
   * The cached reply body for `key`, if present and not expired; counts a hit. `now` (here and in
   * `set`) is any millisecond clock used consistently; the server passes `performance.now()`.
   */
  get(key: string, now: number): Buffer | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#remove(entry);
      this.counters.expired++;
      return undefined;
    }
    this.counters.hits++;
    return entry.body;
  }

  /**
   * Stores a reply for the caller's remaining `deadlineMs` plus slack. Returns false, storing
   * nothing, for a reply bigger than the whole byte cap (it could only evict everything else).
   */
  set(key: string, body: Buffer, deadlineMs: number | undefined, now: number): boolean {
    const bytes = body.length + key.length * 2 + REPLY_CACHE_ENTRY_OVERHEAD_BYTES;
    const previous = this.#entries.get(key);
    if (previous) this.#remove(previous);
    if (bytes > this.#maxBytes) {
      this.counters.evictions++;
      return false;
    }
    const ttl = Math.min((deadlineMs ?? REPLY_CACHE_DEFAULT_TTL_MS) + REPLY_CACHE_SLACK_MS, REPLY_CACHE_MAX_TTL_MS);
    this.#dropExpired(now);
    while (this.#entries.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes) {
      const oldest = this.#oldest();
      if (oldest === undefined) break;
      this.#remove(oldest);
      this.counters.evictions++;
    }
    const entry: CachedReply = { key, body, expiresAt: now + ttl, bytes };
    this.#entries.set(key, entry);
    this.#order.push(entry);
    this.#bytes += bytes;
    return true;
  }

  /** Drops expired entries from the front, stopping at the first live one. */
  #dropExpired(now: number): void {
    for (let oldest = this.#oldest(); oldest !== undefined && oldest.expiresAt <= now; oldest = this.#oldest()) {
      this.#remove(oldest);
      this.counters.expired++;
    }
  }

  /** The oldest live entry, skipping (and clearing) stale slots at the front of the order. */
  #oldest(): CachedReply | undefined {
    while (this.#head < this.#order.length) {
      const entry = this.#order[this.#head];
      if (entry !== undefined && this.#entries.get(entry.key) === entry) return entry;
      this.#advance();
    }
    return undefined;
  }

  #remove(entry: CachedReply): void {
    this.#entries.delete(entry.key);
    this.#bytes -= entry.bytes;
    if (this.#order[this.#head] === entry) this.#advance();
  }

  /** Moves the head past its slot; drops the consumed prefix once it is more than half the array. */
  #advance(): void {
    this.#order[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }
}
