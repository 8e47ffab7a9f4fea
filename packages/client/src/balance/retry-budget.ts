import { DEFAULT_MIN_RETRIES_PER_SECOND, DEFAULT_RETRY_FRACTION, DEFAULT_RETRY_WINDOW_MS } from '../constants.js';

/**
 * How many retries a client may make, as Finagle's `RetryBudget` and gRPC's retry throttling
 * bound them: over a sliding window, retries stay within a fraction of the calls made plus a small
 * floor. A healthy cluster barely touches it; a sick one is not hit by a retry storm (every caller
 * multiplying its load by its retry count) at the moment it can least take it.
 *
 *   may retry  ⇔  retries in the window + 1 ≤ minPerSecond · window seconds + fraction · calls in the window
 *
 * Calls and retries are counted in one-second slots of a ring that covers the window, so memory is
 * fixed and old counts fall out as the clock moves. The clock is passed in (ms), for tests.
 */
export class RetryBudget {
  readonly #fraction: number;
  readonly #floor: number;
  readonly #calls: Float64Array;
  readonly #retries: Float64Array;
  /** The second (of the clock) each slot last counted, so a stale slot is cleared before reuse. */
  readonly #slotSecond: Float64Array;

  constructor(options: RetryBudgetOptions = {}) {
    const windowSeconds = Math.max(1, Math.round((options.windowMs ?? DEFAULT_RETRY_WINDOW_MS) / 1000));
    this.#fraction = options.fraction ?? DEFAULT_RETRY_FRACTION;
    this.#floor = (options.minPerSecond ?? DEFAULT_MIN_RETRIES_PER_SECOND) * windowSeconds;
    this.#calls = new Float64Array(windowSeconds);
    this.#retries = new Float64Array(windowSeconds);
    this.#slotSecond = new Float64Array(windowSeconds).fill(-1);
  }

  /** A call was made (its first attempt): it earns `fraction` of a retry. */
  deposit(nowMs: number): void {
    const slot = this.#slot(nowMs);
    this.#calls[slot] = (this.#calls[slot] as number) + 1;
  }

  /** Takes one retry from the budget if it has one; false means "do not retry, fail as you are". */
  tryWithdraw(nowMs: number): boolean {
    const slot = this.#slot(nowMs);
    if (this.#sum(this.#retries, nowMs) + 1 > this.#floor + this.#fraction * this.#sum(this.#calls, nowMs))
      return false;
    this.#retries[slot] = (this.#retries[slot] as number) + 1;
    return true;
  }

  /** The slot for `nowMs`, cleared first if it still holds counts from a second outside the window. */
  #slot(nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    const slot = second % this.#calls.length;
    if (this.#slotSecond[slot] !== second) {
      this.#slotSecond[slot] = second;
      this.#calls[slot] = 0;
      this.#retries[slot] = 0;
    }
    return slot;
  }

  /** Counts of `counts` over the slots still inside the window at `nowMs`. */
  #sum(counts: Float64Array, nowMs: number): number {
    const oldest = Math.floor(nowMs / 1000) - counts.length + 1;
    let total = 0;
    for (let i = 0; i < counts.length; i++) if ((this.#slotSecond[i] as number) >= oldest) total += counts[i] as number;
    return total;
  }
}

/** Settings of a {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Window over which calls and retries are counted (ms; whole seconds). Default 10 s. */
  readonly windowMs?: number;
  /** Retries allowed per call made in the window. Default 0.2 (Finagle's `percentCanRetry`). */
  readonly fraction?: number;
  /** Retries allowed per second whatever the traffic, so a quiet client can still retry. Default 10. */
  readonly minPerSecond?: number;
}
