import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type TimerNode, TimerQueue } from './timer-queue.js';

interface Item extends TimerNode {
  name: string;
}

function item(name: string): Item {
  return { name, dueAt: 0, timerPrev: undefined, timerNext: undefined, timerList: undefined };
}

describe('TimerQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires items in due order across delays, with one underlying timer', async () => {
    const fired: string[] = [];
    const queue = new TimerQueue<Item>((i) => fired.push(`${i.name}@${performance.now()}`));
    const start = performance.now();
    queue.schedule(item('a'), 300);
    queue.schedule(item('b'), 100);
    await vi.advanceTimersByTimeAsync(50);
    queue.schedule(item('c'), 100);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(400);
    expect(fired).toEqual([`b@${start + 100}`, `c@${start + 150}`, `a@${start + 300}`]);
  });

  it('never fires a cancelled item and stops its timer when nothing is left', async () => {
    const fired: string[] = [];
    const queue = new TimerQueue<Item>((i) => fired.push(i.name));
    const a = item('a');
    const b = item('b');
    queue.schedule(a, 100);
    queue.schedule(b, 100);
    queue.cancel(a);
    await vi.advanceTimersByTimeAsync(200);
    expect(fired).toEqual(['b']);
    queue.schedule(a, 100);
    queue.cancel(a);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets an expiring item reschedule itself', async () => {
    let count = 0;
    const queue: TimerQueue<Item> = new TimerQueue<Item>((i) => {
      if (++count < 3) queue.schedule(i, 10);
    });
    queue.schedule(item('r'), 10);
    await vi.advanceTimersByTimeAsync(100);
    expect(count).toBe(3);
  });
});
