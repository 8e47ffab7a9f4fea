import { describe, expect, it } from 'vitest';
import { RttEstimator } from './rtt-estimator.js';

describe('RttEstimator (RFC 6298)', () => {
  it('starts at the initial RTO', () => {
    expect(new RttEstimator({ initialRtoMs: 200 }).rtoMs).toBe(200);
  });

  it('sets SRTT = R and RTTVAR = R/2 from the first sample', () => {
    const rtt = new RttEstimator({ minRtoMs: 1, maxRtoMs: 60_000 });
    rtt.sample(100);
    expect(rtt.srttMs).toBe(100);
    expect(rtt.rtoMs).toBe(100 + 4 * 50);
  });

  it('smooths later samples with alpha 1/8 and beta 1/4', () => {
    const rtt = new RttEstimator({ minRtoMs: 1, maxRtoMs: 60_000 });
    rtt.sample(100);
    rtt.sample(200);
    // RTTVAR = 3/4·50 + 1/4·|100−200| = 62.5; SRTT = 7/8·100 + 1/8·200 = 112.5
    expect(rtt.srttMs).toBe(112.5);
    expect(rtt.rtoMs).toBe(112.5 + 4 * 62.5);
  });

  it('keeps the RTO within its floor and ceiling', () => {
    const fast = new RttEstimator({ minRtoMs: 50, maxRtoMs: 2000 });
    fast.sample(0.2);
    expect(fast.rtoMs).toBe(50);
    const slow = new RttEstimator({ minRtoMs: 50, maxRtoMs: 2000 });
    slow.sample(5000);
    expect(slow.rtoMs).toBe(2000);
  });
});
