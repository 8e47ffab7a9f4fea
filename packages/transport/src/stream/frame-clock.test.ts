import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameClock } from './frame-clock.js';

const LIMIT_MS = 1_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A clock at {@link LIMIT_MS} and how many times it expired. */
function createClock() {
  const expired = { count: 0 };
  const clock = new FrameClock(LIMIT_MS, () => void expired.count++);
  return { clock, expired };
}

describe('FrameClock', () => {
  it('expires a frame that is still unfinished a whole limit after it started', () => {
    const { clock, expired } = createClock();
    clock.startFrame();
    vi.advanceTimersByTime(LIMIT_MS - 1);
    expect(expired.count).toBe(0);
    vi.advanceTimersByTime(1);
    expect(expired.count).toBe(1);
  });

  it('gives each new frame its own budget, with one timer re-armed rather than one per frame', () => {
    const { clock, expired } = createClock();
    clock.startFrame();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(0.6 * LIMIT_MS);
      clock.startFrame();
      expect(vi.getTimerCount()).toBe(1);
    }
    expect(expired.count).toBe(0);
  });

  it('lets its timer lapse once no frame is being timed', () => {
    const { clock, expired } = createClock();
    clock.startFrame();
    clock.stop();
    vi.advanceTimersByTime(2 * LIMIT_MS);
    expect(expired.count).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stands still while paused and keeps the budget that was left', () => {
    const { clock, expired } = createClock();
    clock.startFrame();
    vi.advanceTimersByTime(0.6 * LIMIT_MS);
    clock.pause();
    vi.advanceTimersByTime(10 * LIMIT_MS);
    clock.resume();
    vi.advanceTimersByTime(0.4 * LIMIT_MS - 1);
    expect(expired.count).toBe(0);
    vi.advanceTimersByTime(1);
    expect(expired.count).toBe(1);
  });

  it('counts a frame begun while paused from when reading resumes', () => {
    const { clock, expired } = createClock();
    clock.pause();
    clock.startFrame();
    vi.advanceTimersByTime(5 * LIMIT_MS);
    clock.resume();
    vi.advanceTimersByTime(LIMIT_MS - 1);
    expect(expired.count).toBe(0);
    vi.advanceTimersByTime(1);
    expect(expired.count).toBe(1);
  });

  it('never fires once disposed', () => {
    const { clock, expired } = createClock();
    clock.startFrame();
    clock.dispose();
    vi.advanceTimersByTime(2 * LIMIT_MS);
    expect(expired.count).toBe(0);
  });
});
