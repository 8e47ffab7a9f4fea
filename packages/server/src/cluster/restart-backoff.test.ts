import { describe, expect, it } from 'vitest';
import { CLUSTER_RESTART_MAX_MS, CLUSTER_STABLE_AFTER_MS } from '../constants.js';
import { RestartBackoff } from './restart-backoff.js';

describe('RestartBackoff', () => {
  it('replaces at once, then doubles from 100 ms while replacements die young, up to the cap', () => {
    const backoff = new RestartBackoff();
    const delays = Array.from({ length: 10 }, () => backoff.next(50));
    expect(delays).toEqual([0, 100, 200, 400, 800, 1600, 3200, 6400, CLUSTER_RESTART_MAX_MS, CLUSTER_RESTART_MAX_MS]);
  });

  it('starts afresh after a worker that had lived long enough', () => {
    const backoff = new RestartBackoff();
    backoff.next(50);
    backoff.next(50);
    expect(backoff.next(CLUSTER_STABLE_AFTER_MS)).toBe(0);
    expect(backoff.next(50)).toBe(100);
  });
});
