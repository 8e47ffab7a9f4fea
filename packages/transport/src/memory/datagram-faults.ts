import { DEFAULT_FAULT_DELAY_MS } from '../constants.js';

/**
 * How a memory datagram network mistreats datagrams, as UDP may: each probability is in [0, 1]
 * and defaults to 0, so a network without faults delivers every datagram once, in order.
 */
export interface DatagramFaults {
  /** Probability that a datagram is lost. */
  loss?: number;
  /** Probability that a datagram not lost arrives twice; the copy comes a random delay later. */
  duplication?: number;
  /** Probability that a datagram is held back a random delay, so later ones overtake it. */
  reorder?: number;
  /** Upper bound of those random delays, ms (default {@link DEFAULT_FAULT_DELAY_MS}); each is at least 1. */
  maxDelayMs?: number;
  /**
   * Uniform random in [0, 1) deciding every fault: inject a seeded one so a run, and a failure,
   * replays exactly (default `Math.random`).
   */
  random?: () => number;
}

/** What the faults did, one count per datagram sent (`delivered` counts copies). */
export interface DatagramFaultStats {
  sent: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Copies handed to a bound receiver; copies for an address nobody binds are not counted. */
  delivered: number;
}

/** Zeroed {@link DatagramFaultStats}. */
export function createDatagramFaultStats(): DatagramFaultStats {
  return { sent: 0, lost: 0, duplicated: 0, reordered: 0, delivered: 0 };
}

/**
 * Decides the fate of one datagram: the delays, in ms, at which to deliver its copies. `[]`: lost;
 * `[0]`: delivered now; a positive delay: held back. Draws from `random` in a fixed order (loss,
 * reorder, duplication, then each delay), and only for the faults that are set, so a seed replays.
 */
export function planDelivery(faults: DatagramFaults, stats: DatagramFaultStats): number[] {
  const random = faults.random ?? Math.random;
  const delay = () => 1 + Math.floor(random() * (faults.maxDelayMs ?? DEFAULT_FAULT_DELAY_MS));
  stats.sent++;
  if (faults.loss && random() < faults.loss) {
    stats.lost++;
    return [];
  }
  let first = 0;
  if (faults.reorder && random() < faults.reorder) {
    stats.reordered++;
    first = delay();
  }
  if (faults.duplication && random() < faults.duplication) {
    stats.duplicated++;
    return [first, first + delay()];
  }
  return [first];
}
