/** No deadline set, or reading not paused. `performance.now()` is never negative. */
const NONE = -1;

/**
 * The slowloris guard's clock (issue 13, item 3): times the frame being received from **its own**
 * first byte, and stands still while the server itself holds reading paused (backpressure), so a
 * peer is charged only for time in which it could have been sending.
 *
 * ```
 *   startFrame ──▶ TIMING ──pause──▶ PAUSED ──resume──▶ TIMING (deadline moved by the pause)
 *                    │ stop (frame completed, nothing after it)
 *                    ▼
 *                  IDLE ──startFrame──▶ TIMING (a fresh budget)
 * ```
 *
 * Cheap on the per-chunk path: starting or stopping a frame's clock only stores a number. One
 * timer per connection is armed lazily; when it fires it compares the current deadline with now
 * and re-arms for what is left (the frame it was armed for completed and another began) or lapses
 * (nothing is being timed). Frames that stream back to back cost no timer set or cleared each.
 * Times are `performance.now()` ms: monotonic, and faked along with `setTimeout` in tests.
 */
export class FrameClock {
  readonly #limitMs: number;
  readonly #onExpired: () => void;
  /** When the frame being timed runs out of budget, or NONE when no frame is being timed. */
  #deadline = NONE;
  /** When reading was paused, or NONE while it runs. */
  #pausedAt = NONE;
  #timer: NodeJS.Timeout | undefined;
  #disposed = false;

  /** `onExpired` runs at most once, when a frame outlives `limitMs` of unpaused time. */
  constructor(limitMs: number, onExpired: () => void) {
    this.#limitMs = limitMs;
    this.#onExpired = onExpired;
  }

  /** True while a frame is being timed (paused or not). */
  get timing(): boolean {
    return this.#deadline !== NONE;
  }

  /** The first byte of a new frame just arrived: it gets the whole budget, counted from now. */
  startFrame(): void {
    // Started while paused (the rest of a chunk decoded after a write filled the socket): its
    // budget counts from the pause, which resume() then moves to when reading resumes.
    const from = this.#pausedAt === NONE ? performance.now() : this.#pausedAt;
    this.#deadline = from + this.#limitMs;
    if (this.#timer === undefined && this.#pausedAt === NONE) this.#arm(this.#limitMs);
  }

  /** No unfinished frame: nothing to time. The timer, if armed, lapses when it fires. */
  stop(): void {
    this.#deadline = NONE;
  }

  /** The server stopped reading (backpressure): time from now on is not the peer's. */
  pause(): void {
    if (this.#pausedAt === NONE) this.#pausedAt = performance.now();
  }

  /** Reading resumes: the frame being timed keeps the budget it had left when reading paused. */
  resume(): void {
    const pausedAt = this.#pausedAt;
    if (pausedAt === NONE) return;
    this.#pausedAt = NONE;
    if (this.#deadline === NONE) return;
    const now = performance.now();
    this.#deadline += now - pausedAt;
    if (this.#timer === undefined) this.#arm(this.#deadline - now);
  }

  /** The connection closed: never fire. */
  dispose(): void {
    this.#disposed = true;
    this.#deadline = NONE;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    // Nothing timed, or paused: resume() or startFrame() arms again when there is.
    if (this.#disposed || this.#deadline === NONE || this.#pausedAt !== NONE) return;
    const left = this.#deadline - performance.now();
    if (left > 0) this.#arm(left);
    else this.#onExpired();
  };

  #arm(ms: number): void {
    // Rounded up: a timer that fires a fraction of a millisecond early would only re-arm.
    this.#timer = setTimeout(this.#fire, Math.ceil(ms));
  }
}
