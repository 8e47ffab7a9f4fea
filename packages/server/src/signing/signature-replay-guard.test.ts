import { describe, expect, it } from 'vitest';
import { SignatureReplayGuard } from './signature-replay-guard.js';

const mac = (n: number) => Buffer.alloc(32, n);
const NOW = 1_764_000_000_000;
const SKEW = 30_000;
/** A guard whose memory began long before NOW, for the rules that do not concern its start. */
const guardOf = (maxEntries?: number) => new SignatureReplayGuard(SKEW, { maxEntries, startedAtMs: NOW - 3_600_000 });

describe('SignatureReplayGuard', () => {
  it('admits a signature once and drops it as a replay after', () => {
    const guard = guardOf();
    expect(guard.admit(mac(1), NOW / 1000, NOW)).toBe('fresh');
    expect(guard.admit(mac(1), NOW / 1000, NOW + 20_000)).toBe('replay');
    expect(guard.admit(mac(2), NOW / 1000, NOW)).toBe('fresh');
    expect(guard.counters.replays).toBe(1);
  });

  it('forgets a signature only once it can no longer verify (timestamp + skew)', () => {
    const guard = guardOf(10);
    guard.admit(mac(1), NOW / 1000, NOW);
    guard.admit(mac(2), NOW / 1000 + 40, NOW + 40_000);
    expect(guard.size).toBe(1);
    expect(guard.counters.evictions).toBe(0);
  });

  it('refuses everything signed before a signature it had to forget early, so none outlives its memory', () => {
    const guard = guardOf(2);
    guard.admit(mac(1), NOW / 1000 - 5, NOW);
    guard.admit(mac(2), NOW / 1000 - 1, NOW);
    guard.admit(mac(3), NOW / 1000, NOW);

    expect(guard.counters.evictions).toBe(1);
    // mac(1) is forgotten while it could still verify: its replay, and anything as old, is refused.
    expect(guard.admit(mac(1), NOW / 1000 - 5, NOW)).toBe('forgotten');
    expect(guard.admit(mac(9), NOW / 1000 - 6, NOW)).toBe('forgotten');
    expect(guard.admit(mac(10), NOW / 1000, NOW)).toBe('fresh');
  });

  it('refuses a signature stamped before its memory began, as a restarted server must (RFC 4120 §3.2.3)', () => {
    // A process before this one accepted mac(1) 10 s ago, within the skew, and took its memory with it.
    const guard = new SignatureReplayGuard(SKEW, { startedAtMs: NOW });

    expect(guard.admit(mac(1), NOW / 1000 - 10, NOW + 1_000)).toBe('before-start');
    expect(guard.counters.beforeStart).toBe(1);
    expect(guard.size).toBe(0);
  });

  it('refuses the whole second it started in, since a stamp of that second may have been made before the start', () => {
    const startedAtMs = NOW + 400;
    const guard = new SignatureReplayGuard(SKEW, { startedAtMs });

    // NOW / 1000 covers NOW … NOW + 999: made at NOW + 100 (before the start) or NOW + 900 (after), no telling.
    expect(guard.admit(mac(1), NOW / 1000, startedAtMs + 500)).toBe('before-start');
    expect(guard.admit(mac(2), NOW / 1000 + 1, NOW + 1_000)).toBe('fresh');
  });

  it('refuses a stamp equal to a start on a whole second, and admits the next second', () => {
    const guard = new SignatureReplayGuard(SKEW, { startedAtMs: NOW });

    expect(guard.admit(mac(1), NOW / 1000, NOW + 10)).toBe('before-start');
    expect(guard.admit(mac(2), NOW / 1000 + 1, NOW + 1_000)).toBe('fresh');
    expect(guard.counters).toMatchObject({ beforeStart: 1, forgotten: 0, replays: 0 });
  });
});
