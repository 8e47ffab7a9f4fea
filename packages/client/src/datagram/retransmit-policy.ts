import { BACKOFF_FACTOR, MAX_RETRANSMITS, RTO_JITTER } from '../constants.js';
import { type RtoBounds, RttEstimator } from './rtt-estimator.js';

/** How a UDP client retransmits; every field has a default in `constants.ts`. */
export interface RetransmitOptions extends RtoBounds {
  /** Most retransmissions per call (default 10), always within the call's deadline. */
  maxRetransmits?: number;
  /** Uniform random in [0, 1) for jitter; inject a seeded one for reproducible schedules. */
  random?: () => number;
}

/**
 * When to resend: the destination's RTO (from clean samples, {@link RttEstimator}) doubled per
 * attempt up to the ceiling, times a jitter factor in [1, 1 + RTO_JITTER).
 */
export class RetransmitPolicy {
  readonly rtt: RttEstimator;
  readonly maxRetransmits: number;
  readonly #random: () => number;

  constructor(options: RetransmitOptions = {}) {
    this.rtt = new RttEstimator(options);
    this.maxRetransmits = options.maxRetransmits ?? MAX_RETRANSMITS;
    this.#random = options.random ?? Math.random;
  }

  /** Wait after transmission number `attempt` (1 = the first send) before resending. */
  waitMs(attempt: number): number {
    const backedOff = Math.min(this.rtt.maxRtoMs, this.rtt.rtoMs * BACKOFF_FACTOR ** Math.max(0, attempt - 1));
    return backedOff * (1 + RTO_JITTER * this.#random());
  }

  /** True while a call that has been sent `attempt` times may be sent again. */
  mayRetransmit(attempt: number): boolean {
    return attempt <= this.maxRetransmits;
  }
}
