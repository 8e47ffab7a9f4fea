import { describe, expect, it } from 'vitest';
import { SignatureReplayGuard } from './signature-replay-guard.js';

const mac = (n: number) => Buffer.alloc(32, n);
const NOW = 1_764_000_000_000;
const SKEW = 30_000;

describe('SignatureReplayGuard', () => {
  it('admits a signature once and drops it as a replay after', () => {
    const guard = new SignatureReplayGuard(SKEW);
    expect(guard.admit(mac(1), NOW / 1000, NOW)).toBe('fresh');
    expect(guard.admit(mac(1), NOW / 1000, NOW + 20_000)).toBe('replay');
    expect(guard.admit(mac(2), NOW / 1000, NOW)).toBe('fresh');
    expect(guard.counters.replays).toBe(1);
  });

  it('forgets a signature only once it can no longer verify (timestamp + skew)', () => {
    const guard = new SignatureReplayGuard(SKEW, 10);
    guard.admit(mac(1), NOW / 1000, NOW);
    guard.admit(mac(2), NOW / 1000 + 40, NOW + 40_000);
    expect(guard.size).toBe(1);
    expect(guard.counters.evictions).toBe(0);
  });

  it('refuses everything signed before a signature it had to forget early, so none outlives its memory', () => {
    const guard = new SignatureReplayGuard(SKEW, 2);
    guard.admit(mac(1), NOW / 1000 - 5, NOW);
    guard.admit(mac(2), NOW / 1000 - 1, NOW);
    guard.admit(mac(3), NOW / 1000, NOW);

    expect(guard.counters.evictions).toBe(1);
    // mac(1) is forgotten while it could still verify: its replay, and anything as old, is refused.
    expect(guard.admit(mac(1), NOW / 1000 - 5, NOW)).toBe('forgotten');
    expect(guard.admit(mac(9), NOW / 1000 - 6, NOW)).toBe('forgotten');
    expect(guard.admit(mac(10), NOW / 1000, NOW)).toBe('fresh');
  });
});
