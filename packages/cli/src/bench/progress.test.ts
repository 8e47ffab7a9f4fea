import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../io.js';
import { formatProgress, startProgress } from './progress.js';
import { LoadTally } from './tally.js';

function fakeIo(): CliIo & { statuses: string[] } {
  const statuses: string[] = [];
  return { statuses, out: () => {}, err: () => {}, status: (text) => statuses.push(text), stdoutIsTTY: true, stderrIsTTY: true, readStdin: async () => '' };
}

describe('formatProgress', () => {
  it('shows elapsed of the duration, calls, rate and errors', () => {
    const line = formatProgress({ elapsedMs: 3210, calls: 41234, callsPerSecond: 12890.4, errors: 1 }, { kind: 'duration', durationMs: 10_000 });
    expect(line).toBe('3.2s / 10.0s · 41234 calls · 12890 calls/s · 1 error');
  });

  it('shows calls done of the total with --calls', () => {
    const line = formatProgress({ elapsedMs: 1200, calls: 412, callsPerSecond: 350, errors: 0 }, { kind: 'calls', calls: 1000 });
    expect(line).toBe('1.2s · 412/1000 calls · 350 calls/s · 0 errors');
  });
});

describe('startProgress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rewrites the status line every 250 ms, then clears it and leaves no timer', () => {
    const io = fakeIo();
    const tally = new LoadTally();
    const progress = startProgress(io, tally, { kind: 'calls', calls: 10 });
    tally.recordOk(1);
    vi.advanceTimersByTime(250);
    tally.recordOk(1);
    vi.advanceTimersByTime(250);
    expect(io.statuses).toHaveLength(2);
    expect(io.statuses[1]).toMatch(/ · 2\/10 calls · \d+ calls\/s · 0 errors$/);
    progress.stop();
    expect(io.statuses.at(-1)).toBe('');
    expect(vi.getTimerCount()).toBe(0);
  });
});
