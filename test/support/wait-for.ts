/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. Generous: it bounds a hang, it is not a timing assertion. */
  timeoutMs?: number;
  /** Said in the error when the condition never held. */
  what?: string;
}

/** Default patience of {@link waitFor}: long enough for a loaded CI machine, short of vitest's 20 s. */
export const DEFAULT_WAIT_MS = 5_000;

/**
 * Resolves once `condition` returns true (checked now, then every few milliseconds); rejects
 * after `timeoutMs` saying what was awaited. Tests wait for events with this, never fixed sleeps.
 */
export function waitFor(condition: () => boolean, options: WaitForOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const poll = setInterval(() => {
      if (condition()) {
        clearInterval(poll);
        resolve();
      } else if (performance.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}`));
      }
    }, 2);
  });
}

/**
 * Resolves once `value()` has stayed the same for `quietMs` (checked every few ms), with that
 * value; rejects after `timeoutMs`. For "nothing more happens" checks: unlike a fixed sleep it
 * waits as long as a slow machine is still making progress.
 */
export function waitForQuiet<T>(value: () => T, options: WaitForOptions & { quietMs: number }): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let last = value();
    let changedAt = started;
    const poll = setInterval(() => {
      const now = performance.now();
      const current = value();
      if (current !== last) {
        last = current;
        changedAt = now;
      } else if (now - changedAt >= options.quietMs) {
        clearInterval(poll);
        resolve(current);
      }
      if (now - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a value'} to settle`));
      }
    }, 2);
  });
}
