import { vi } from 'vitest';

/** Options for {@link settleOnFakeClock}. */
export interface SettleOptions {
  /** Fake milliseconds per step: timers fire in order within a step, microtasks run between them. */
  stepMs?: number;
  /** Give up after this much fake time: it bounds a hang, it is not a timing assertion. */
  maxMs?: number;
}

/**
 * Advances vitest's fake clock step by step until `promise` settles, and settles like it. For
 * code whose progress hangs on timers (retransmission, held-back datagrams) under
 * `vi.useFakeTimers()`: the test then takes no real time, and what happens when is exact.
 */
export async function settleOnFakeClock<T>(promise: Promise<T>, options: SettleOptions = {}): Promise<T> {
  const stepMs = options.stepMs ?? 10;
  const maxMs = options.maxMs ?? 60_000;
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => {});
  for (let elapsed = 0; !settled; elapsed += stepMs) {
    if (elapsed > maxMs) throw new Error(`Still pending after ${maxMs} ms of fake time`);
    await vi.advanceTimersByTimeAsync(stepMs);
  }
  return watched;
}
