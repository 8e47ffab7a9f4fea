import {
  DEFAULT_BASE_EJECTION_MS,
  DEFAULT_CONSECUTIVE_FAILURES,
  DEFAULT_FAILURE_RATE_INTERVAL_MS,
  DEFAULT_MAX_EJECTED_FRACTION,
  DEFAULT_MAX_EJECTION_MS,
} from '../constants.js';

/** Settings of outlier ejection; the defaults follow Envoy's and grpc-js's outlier detection, for LAN round trips. */
export interface OutlierOptions {
  /** Failures in a row that eject an endpoint (default 5, as Envoy's `consecutive_5xx`). */
  readonly consecutiveFailures?: number;
  /** First ejection time; each later ejection of the same endpoint doubles it (default 1 s). */
  readonly baseEjectionMs?: number;
  /** Longest ejection (default 30 s). */
  readonly maxEjectionMs?: number;
  /**
   * At most this fraction of the endpoints ejected at once (default 0.5), unless another endpoint
   * is answering; never all of them.
   */
  readonly maxEjectedFraction?: number;
  /** Window over which failure rates are compared between endpoints (default 10 s, Envoy's `interval`). */
  readonly intervalMs?: number;
}

/** What the detector reads and writes on each endpoint. */
export interface OutlierState {
  /** Failures since the last success. */
  consecutiveFailures: number;
  /** Ejections so far: each one lasts twice as long as the one before. */
  timesEjected: number;
  ejected: boolean;
  /** Calls and failures in the current window (failure-rate ejection). */
  windowCalls: number;
  windowFailures: number;
}

/** Calls an endpoint needs in a window before its failure rate is compared with its peers'. */
const MIN_WINDOW_CALLS = 20;
/** A failure rate at least this high, and this many times the peers' mean, ejects. */
const OUTLIER_RATE = 0.5;
const OUTLIER_RATIO = 3;

/**
 * Decides when an endpoint is an outlier to take out of rotation for a while: after
 * `consecutiveFailures` failures in a row (a dead or draining instance), or when over a window its
 * failure rate is high and far above its peers' (a sick one among healthy ones). Ejections are
 * capped (`maxEjectedFraction`, unless another endpoint is answering) and never take the last
 * endpoint: with every endpoint failing the fault is more likely between the client and all of
 * them, and shedding them all would turn partial service into none.
 */
export class OutlierDetector {
  readonly #consecutive: number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #maxFraction: number;
  readonly intervalMs: number;

  constructor(options: OutlierOptions = {}) {
    this.#consecutive = options.consecutiveFailures ?? DEFAULT_CONSECUTIVE_FAILURES;
    this.#baseMs = options.baseEjectionMs ?? DEFAULT_BASE_EJECTION_MS;
    this.#maxMs = options.maxEjectionMs ?? DEFAULT_MAX_EJECTION_MS;
    this.#maxFraction = options.maxEjectedFraction ?? DEFAULT_MAX_EJECTED_FRACTION;
    this.intervalMs = options.intervalMs ?? DEFAULT_FAILURE_RATE_INTERVAL_MS;
  }

  /**
   * Records one call's outcome on `state`; true when the endpoint should now be ejected (the
   * caller checks {@link mayEject} against the others). `refused` is a refusal from the server
   * itself that it will not run calls (draining): one is enough.
   */
  record(state: OutlierState, failed: boolean, refused = false): boolean {
    state.windowCalls++;
    if (!failed) {
      state.consecutiveFailures = 0;
      return false;
    }
    state.windowFailures++;
    state.consecutiveFailures++;
    return refused || state.consecutiveFailures >= this.#consecutive;
  }

  /**
   * Whether one more of `all` may be ejected: one always stays, and the rest are ejected within
   * the cap, or past it while another endpoint is answering (`anotherAnswering`). The cap guards
   * against a fault on the client's side, where every endpoint fails alike; with another endpoint
   * answering, one failing in a row is dead, and kept in rotation it would take calls only to fail
   * them (a preferred SRV priority would even take them all ahead of a healthy backup).
   */
  mayEject(all: readonly OutlierState[], anotherAnswering = false): boolean {
    let ejected = 0;
    for (const state of all) if (state.ejected) ejected++;
    if (ejected + 1 >= all.length) return false;
    return anotherAnswering || ejected < Math.max(1, Math.floor(all.length * this.#maxFraction));
  }

  /** How long the next ejection of `state` lasts: base × 2^(times ejected before), capped. */
  ejectionMs(state: OutlierState): number {
    return Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(state.timesEjected, 30));
  }

  /**
   * Ends a window: the endpoints whose failure rate is high and far above the others' mean, most
   * failing first. Resets every window.
   */
  rateOutliers<T extends OutlierState>(all: readonly T[]): T[] {
    const rates = all.map((state) =>
      state.windowCalls >= MIN_WINDOW_CALLS ? state.windowFailures / state.windowCalls : undefined,
    );
    const outliers: { state: T; rate: number }[] = [];
    rates.forEach((rate, i) => {
      const state = all[i];
      if (rate === undefined || state === undefined || state.ejected || rate < OUTLIER_RATE) return;
      const peers = rates.filter((other, j) => j !== i && other !== undefined) as number[];
      if (peers.length === 0) return;
      const mean = peers.reduce((sum, other) => sum + other, 0) / peers.length;
      if (rate >= OUTLIER_RATIO * mean) outliers.push({ state, rate });
    });
    for (const state of all) {
      state.windowCalls = 0;
      state.windowFailures = 0;
    }
    return outliers.sort((a, b) => b.rate - a.rate).map((outlier) => outlier.state);
  }
}
