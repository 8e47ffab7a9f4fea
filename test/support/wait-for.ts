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
 * Between two checks of a condition that must be asked (a call to a server in another process):
 * each check is a round trip, so asking every 2 ms would load the server being watched.
 */
const ASK_AGAIN_MS = 20;

/**
 * Resolves once `condition` returns true (checked now, then every few milliseconds); rejects
 * after `timeoutMs` saying what was awaited. Tests wait for events with this, never fixed sleeps.
 * A condition that returns a promise (it asks another process) is asked again {@link ASK_AGAIN_MS}
 * after each answer, never while a question is outstanding; the timeout is checked between
 * answers, so each question needs a deadline of its own (an RPC has one).
 */
export function waitFor(condition: () => boolean | Promise<boolean>, options: WaitForOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const first = condition();
  if (first === true) return Promise.resolve();
  if (first !== false) return askUntil(condition, first, timeoutMs, options.what);
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

/** {@link waitFor} for a condition that answers with a promise; `first` is its first answer. */
async function askUntil(
  ask: () => boolean | Promise<boolean>,
  first: Promise<boolean>,
  timeoutMs: number,
  what: string | undefined,
): Promise<void> {
  const started = performance.now();
  let answer = await first;
  while (!answer) {
    if (performance.now() - started > timeoutMs)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, ASK_AGAIN_MS));
    answer = await ask();
  }
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
