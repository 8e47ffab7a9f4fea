import { INITIAL_RTO_MS, MAX_RTO_MS, MIN_RTO_MS } from '../constants.js';

/** Bounds of a {@link RttEstimator}; defaults from `constants.ts`. */
export interface RtoBounds {
  initialRtoMs?: number;
  minRtoMs?: number;
  maxRtoMs?: number;
}

/**
 * Round-trip estimate for one destination, RFC 6298 §2: the first sample R sets SRTT = R and
 * RTTVAR = R/2; later ones RTTVAR ← ¾·RTTVAR + ¼·|SRTT − R| and SRTT ← ⅞·SRTT + ⅛·R.
 * RTO = SRTT + max(G, 4·RTTVAR), clamped to [min, max]. Samples must be clean (Karn, §3): the
 * client feeds only replies whose echoed attempt is the transmission it timed.
 */
export class RttEstimator {
  /** Clock granularity G: Node timers have 1 ms resolution. */
  static readonly GRANULARITY_MS = 1;
  #srtt: number | undefined;
  #rttvar = 0;
  #rto: number;
  readonly #min: number;
  readonly #max: number;

  constructor(bounds: RtoBounds = {}) {
    this.#min = bounds.minRtoMs ?? MIN_RTO_MS;
    this.#max = bounds.maxRtoMs ?? MAX_RTO_MS;
    this.#rto = this.#clamp(bounds.initialRtoMs ?? INITIAL_RTO_MS);
  }

  /** Current retransmission timeout, ms. */
  get rtoMs(): number {
    return this.#rto;
  }

  /** Smoothed round trip, ms; undefined before the first sample. */
  get srttMs(): number | undefined {
    return this.#srtt;
  }

  /** Ceiling of one wait, for backoff. */
  get maxRtoMs(): number {
    return this.#max;
  }

  /** Adds one clean round-trip measurement (ms). */
  sample(rttMs: number): void {
    if (this.#srtt === undefined) {
      this.#srtt = rttMs;
      this.#rttvar = rttMs / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rttMs);
      this.#srtt = 0.875 * this.#srtt + 0.125 * rttMs;
    }
    this.#rto = this.#clamp(this.#srtt + Math.max(RttEstimator.GRANULARITY_MS, 4 * this.#rttvar));
  }

  #clamp(ms: number): number {
    return Math.min(this.#max, Math.max(this.#min, ms));
  }
}
