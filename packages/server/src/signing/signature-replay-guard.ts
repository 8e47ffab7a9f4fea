import { DEFAULT_MAX_REMEMBERED_SIGNATURES } from '../constants.js';

/**
 * What the guard says of a signature that verified: `fresh` (never seen: handle it), `replay`
 * (seen before), `forgotten` (no later than an entry evicted under load), `before-start` (signed
 * no later than the guard started: a process before this one may have accepted it).
 */
export type SignatureVerdict = 'fresh' | 'replay' | 'forgotten' | 'before-start';

/** What a {@link SignatureReplayGuard} has refused, for `server.stats`. */
export interface ReplayGuardCounters {
  /** Signatures seen before: replayed (or duplicated by the network) messages, dropped. */
  replays: number;
  /** Signatures older than the guard's memory after evictions under load: dropped. */
  forgotten: number;
  /** Signatures stamped no later than the guard started (its memory was empty then): refused. */
  beforeStart: number;
  /** Signatures forgotten before they expired to stay within the cap (they raise the horizon). */
  evictions: number;
}

/** How a {@link SignatureReplayGuard} is bounded, and when its memory began. */
export interface ReplayGuardOptions {
  /** Signatures remembered at most (default `DEFAULT_MAX_REMEMBERED_SIGNATURES`). */
  maxEntries?: number;
  /** Wall clock (epoch ms) at which the memory begins (default: now). */
  startedAtMs?: number;
}

/**
 * The server's memory of the signatures it accepted, for as long as each could be accepted again
 * (its timestamp plus the allowed skew): a signed message whose MAC was seen before is a replay
 * and is dropped, so a captured datagram or frame never runs twice, whatever the reply cache
 * still holds. A client signs every transmission afresh (retransmissions included), so a
 * legitimate message never repeats a MAC; a network duplicate does, and is dropped like a replay
 * (the original was handled).
 *
 * The memory begins when the guard does (`startedAtMs`, when the server first listens): whatever
 * a process before it accepted on the same address is not in it, so every signature stamped no
 * later than the start is refused (`before-start`), as Kerberos refuses authenticators within the
 * skew of a restart that lost its replay cache (RFC 4120 §3.2.3). Timestamps are whole seconds: a
 * signature stamped in the start second may have been made before it, so that whole second is
 * refused (the server binds once it has passed, see `signingStarted`).
 *
 * Bounded: past `maxEntries` the oldest entry is forgotten early, and every signature signed no
 * later than it is refused from then on (`forgotten`): a signature never outlives the server's
 * memory of it. Honest clients sign with the current time and are refused only when their clock
 * lags the start, or the forgotten horizon (entries ÷ signed messages per second: 100 000 at
 * 10 000/s is 10 s).
 *
 * ```
 *  #order: [k1][k2][k3]...   insertion order; expired or evicted from the front (#head)
 *  #seen:  key → expiry      key: the MAC's first 16 bytes (128 bits) as latin1
 * ```
 */
export class SignatureReplayGuard {
  readonly counters: ReplayGuardCounters = { replays: 0, forgotten: 0, beforeStart: 0, evictions: 0 };
  /** Wall clock (epoch ms) at which the memory began: signatures stamped no later are refused. */
  readonly startedAtMs: number;
  readonly #seen = new Map<string, number>();
  #order: string[] = [];
  #head = 0;
  /** Signatures made at or before this time (epoch ms) may have been forgotten: refused. */
  #horizonMs = Number.NEGATIVE_INFINITY;
  readonly #maxEntries: number;
  readonly #skewMs: number;

  constructor(skewMs: number, options: ReplayGuardOptions = {}) {
    this.#skewMs = skewMs;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_REMEMBERED_SIGNATURES;
    this.startedAtMs = options.startedAtMs ?? Date.now();
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Records a verified signature, or says why its message must be dropped. `nowMs`: wall clock. */
  admit(mac: Uint8Array, timestampS: number, nowMs: number): SignatureVerdict {
    // The earliest instant the signature may have been made (stamps are floored to the second).
    const signedAt = timestampS * 1000;
    if (signedAt <= this.startedAtMs) {
      this.counters.beforeStart++;
      return 'before-start';
    }
    if (signedAt <= this.#horizonMs) {
      this.counters.forgotten++;
      return 'forgotten';
    }
    const key = String.fromCharCode(...mac.subarray(0, 16));
    if (this.#seen.has(key)) {
      this.counters.replays++;
      return 'replay';
    }
    this.#dropExpired(nowMs);
    while (this.#seen.size >= this.#maxEntries) this.#evictOldest();
    this.#seen.set(key, signedAt + this.#skewMs);
    this.#order.push(key);
    return 'fresh';
  }

  #dropExpired(nowMs: number): void {
    while (this.#head < this.#order.length) {
      const expiry = this.#seen.get(this.#order[this.#head] as string);
      if (expiry !== undefined && expiry >= nowMs) return;
      this.#pop();
    }
  }

  #evictOldest(): void {
    const expiry = this.#pop();
    if (expiry === undefined) return;
    this.counters.evictions++;
    this.#horizonMs = Math.max(this.#horizonMs, expiry - this.#skewMs);
  }

  /** Forgets the oldest entry; returns its expiry. */
  #pop(): number | undefined {
    const key = this.#order[this.#head] as string;
    const expiry = this.#seen.get(key);
    this.#seen.delete(key);
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    return expiry;
  }
}
