/**
 * Finagle's peak-EWMA load metric for one endpoint: a round-trip average that jumps to a slow
 * sample at once and forgets it only gradually, times the calls outstanding on the endpoint. A
 * balancer comparing two endpoints by {@link cost} sends less to one that is slow now or busy now,
 * and tries a recovered one again as its peak decays.
 *
 *   w = e^(−Δt/τ), Δt the time since the last sample; without samples the average decays as ewma·w
 *   sample r:  ewma = r                  if r > ewma·w (a peak)
 *              ewma = ewma·w + r·(1 − w)  otherwise
 *   cost = ewma·w · (outstanding + 1)
 *
 * τ ({@link PeakEwmaOptions.decayMs}) sets how fast a peak is forgotten; Finagle's default is
 * 10 s (Volley's is 1 s: see DEFAULT_PEAK_EWMA_DECAY_MS). Before the first sample the endpoint is costed at `initialRttMs`, so a new endpoint gets
 * traffic without being preferred over measured ones that are fast.
 */
export class PeakEwma {
  readonly #decayMs: number;
  #ewmaMs: number;
  #stampMs: number;
  #outstanding = 0;

  constructor(options: PeakEwmaOptions, nowMs: number) {
    this.#decayMs = options.decayMs;
    this.#ewmaMs = options.initialRttMs;
    this.#stampMs = nowMs;
  }

  /** Calls sent to the endpoint and not yet settled. */
  get outstanding(): number {
    return this.#outstanding;
  }

  /** The round-trip average (ms) as of `nowMs`, decayed for the time since the last sample. */
  rttMs(nowMs: number): number {
    return this.#ewmaMs * this.#weight(nowMs);
  }

  /** What sending one more call here costs: lower is better. */
  cost(nowMs: number): number {
    return this.rttMs(nowMs) * (this.#outstanding + 1);
  }

  /** A call was sent to the endpoint. */
  start(): void {
    this.#outstanding++;
  }

  /**
   * A call sent to the endpoint settled after `rttMs`: its outstanding slot is freed, and the
   * round trip is sampled when it measures the endpoint (`sample` false for a local failure).
   */
  finish(rttMs: number, nowMs: number, sample = true): void {
    if (this.#outstanding > 0) this.#outstanding--;
    if (!sample) return;
    // The average as the balancer has been seeing it (decayed since the last sample), then the
    // sample: a slower one replaces it outright, a faster one is blended in by elapsed time.
    const w = this.#weight(nowMs);
    const decayed = this.#ewmaMs * w;
    this.#ewmaMs = rttMs > decayed ? rttMs : decayed + rttMs * (1 - w);
    this.#stampMs = Math.max(this.#stampMs, nowMs);
  }

  /** e^(−Δt/τ): how much of the average is left after Δt without a sample. */
  #weight(nowMs: number): number {
    const elapsed = Math.max(0, nowMs - this.#stampMs);
    return Math.exp(-elapsed / this.#decayMs);
  }
}

/** Settings of a {@link PeakEwma}. */
export interface PeakEwmaOptions {
  /** τ: a peak falls to 1/e of itself after this long without samples (ms). */
  readonly decayMs: number;
  /** The round trip assumed before the first sample (ms). */
  readonly initialRttMs: number;
}
