/** One stored value with its version and optional expiry. */
export interface KvEntry {
  value: string;
  version: number;
  /** Epoch ms after which the entry no longer exists; undefined = never. */
  expiresAt: number | undefined;
}

/**
 * The in-memory map behind the kv service. Expiry is lazy: an expired entry is removed when it
 * is next read or listed, so no timer runs per key. `now` is injectable for tests.
 */
export class KvStore {
  readonly #entries = new Map<string, KvEntry>();
  readonly #now: () => number;
  #version = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get(key: string): KvEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry && this.#expired(entry)) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Stores a value and returns its new version: every set gets a fresh, higher number. */
  set(key: string, value: string, ttlMs?: number): KvEntry {
    const entry: KvEntry = {
      value,
      version: ++this.#version,
      expiresAt: ttlMs === undefined ? undefined : this.#now() + ttlMs,
    };
    this.#entries.set(key, entry);
    return entry;
  }

  delete(key: string): boolean {
    const existed = this.get(key) !== undefined;
    this.#entries.delete(key);
    return existed;
  }

  /** Live keys in sorted order, optionally under a prefix, at most `limit`. */
  list(prefix = '', limit = Number.POSITIVE_INFINITY): string[] {
    const keys: string[] = [];
    for (const [key, entry] of this.#entries) {
      if (this.#expired(entry)) this.#entries.delete(key);
      else if (key.startsWith(prefix)) keys.push(key);
    }
    return keys.sort().slice(0, limit);
  }

  #expired(entry: KvEntry): boolean {
    return entry.expiresAt !== undefined && entry.expiresAt <= this.#now();
  }
}
