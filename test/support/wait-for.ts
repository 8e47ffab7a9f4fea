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
