/**
 * Caps calls outstanding to one destination: the rest wait in arrival order. The queue is an
 * array with a moving head (no `shift()`), compacted when the head passes half of it.
 */
export class OutstandingWindow<T> {
  readonly #limit: number;
  #active = 0;
  #queue: T[] = [];
  #head = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Takes a slot if one is free. */
  tryAcquire(): boolean {
    if (this.#active >= this.#limit) return false;
    this.#active++;
    return true;
  }

  enqueue(item: T): void {
    this.#queue.push(item);
  }

  /**
   * Frees a slot and hands it to the next waiting item that `isLive` accepts (items settled
   * while waiting are skipped); returns that item, which now holds the slot.
   */
  release(isLive: (item: T) => boolean): T | undefined {
    this.#active--;
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head] as T;
      this.#queue[this.#head++] = undefined as T;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (isLive(next)) {
        this.#active++;
        return next;
      }
    }
    return undefined;
  }
}
