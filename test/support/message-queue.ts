import { DEFAULT_WAIT_MS } from './wait-for.js';

/**
 * Everything a raw socket received, in order, plus a cursor: `next()` returns the oldest item not
 * yet taken, waiting for it if needed. Keeps every item in `all` for assertions after the fact.
 */
export class MessageQueue<T> {
  readonly all: T[] = [];
  #taken = 0;
  #waiter: (() => void) | undefined;

  push(item: T): void {
    this.all.push(item);
    this.#waiter?.();
  }

  /** Items received but not yet taken by `next()`. */
  get unread(): number {
    return this.all.length - this.#taken;
  }

  /** The next unread item; rejects after `timeoutMs` if none arrives (a bounded hang, not a timing check). */
  next(timeoutMs: number = DEFAULT_WAIT_MS, what = 'a message'): Promise<T> {
    if (this.#taken < this.all.length) return Promise.resolve(this.all[this.#taken++] as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiter = () => {
        clearTimeout(timer);
        this.#waiter = undefined;
        resolve(this.all[this.#taken++] as T);
      };
    });
  }
}
