import type { PayloadName } from './scenarios.js';
import type { LatencySummary } from './stats.js';
import type { SystemAddress } from './systems/system.js';

/**
 * Messages between the parent (main.ts) and its children, over the `fork` IPC channel.
 *
 * ```
 *  server child                      parent                         client child
 *  ── ready {address} ─────────────▶                 ◀───────────── (forked)
 *                                    ── job ──────────────────────▶ connects, checks one call
 *                                    ◀───────────── ready | failed ──
 *                           reads /proc of both
 *                                    ── go ───────────────────────▶ closed loop
 *                                    ◀───────────────────── result ──
 *                           reads /proc of both
 *                                    ── close ────────────────────▶ exits
 *  ◀───────────────────────── stop ── (at the very end)
 * ```
 */

/** Server child → parent, once. */
export type ServerChildMessage = { type: 'ready'; address: SystemAddress } | { type: 'failed'; message: string };

/** Parent → client child. */
export type ClientJob = {
  type: 'job';
  address: SystemAddress;
  payload: PayloadName;
  outstanding: number;
  warmupMs: number;
  durationMs: number;
};
export type ParentToClientMessage = ClientJob | { type: 'go' } | { type: 'close' };

/** What a client child measured in one run. */
export interface ClientRunResult {
  /** Calls answered correctly that started and finished inside the measured window. */
  calls: number;
  /** Calls that failed (rejected), warmup included. */
  errors: number;
  /** Calls answered with a wrong sum or a changed echo, warmup included. */
  wrongAnswers: number;
  callsPerSecond: number;
  latencyMs: LatencySummary;
  /** Requests sent again after a loss (UDP), as the client module counts them. */
  resends: number;
  /** Every call completed, warmup and drain included: what the CPU time of the run is divided by. */
  totalCalls: number;
}

/** Client child → parent. */
export type ClientChildMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; result: ClientRunResult };
