import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../io.js';
import { formatProgress, startProgress } from './progress.js';
import { LoadTally } from './tally.js';

function fakeIo(): CliIo & { statuses: string[] } {
  const statuses: string[] = [];
  return {
    statuses,
    out: () => {},
    err: () => {},
    status: (text) => statuses.push(text),
    stdoutIsTTY: true,
    stderrIsTTY: true,
    readStdin: async () => '',
  };
}

describe('formatProgress', () => {
  it('shows elapsed of the duration, calls, rate and errors', () => {
    const line = formatProgress(
      { elapsedMs: 3210, calls: 41234, callsPerSecond: 12890.4, errors: 1 },
      { kind: 'duration', durationMs: 10_000 },
    );
    expect(line).toBe('3.2s / 10.0s · 41234 calls · 12890 calls/s · 1 error');
  });

  it('shows calls done of the total with --calls', () => {
    const line = formatProgress(
      { elapsedMs: 1200, calls: 412, callsPerSecond: 350, errors: 0 },
      { kind: 'calls', calls: 1000 },
    );
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
    const progress = startProgress(io);
    progress.show({ name: 'measure', tally, stop: { kind: 'calls', calls: 10 } });
    tally.recordOk(1);
    vi.advanceTimersByTime(250);
    tally.recordOk(1);
    vi.advanceTimersByTime(250);
    expect(io.statuses).toHaveLength(2);
    expect(io.statuses[1]).toMatch(/^0\.5s · 2\/10 calls · \d+ calls\/s · 0 errors$/);
    progress.stop();
    expect(io.statuses.at(-1)).toBe('');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('says "warming up" during the warm-up, then restarts time and counts for the measured run', () => {
    const io = fakeIo();
    const progress = startProgress(io);
    const warmup = new LoadTally();
    progress.show({ name: 'warmup', tally: warmup, stop: { kind: 'duration', durationMs: 1000 } });
    for (let i = 0; i < 5; i++) warmup.recordOk(1);
    vi.advanceTimersByTime(250);
    expect(io.statuses.at(-1)).toBe('warming up · 0.3s / 1.0s · 5 calls · 20 calls/s · 0 errors');
    const measured = new LoadTally();
    progress.show({ name: 'measure', tally: measured, stop: { kind: 'calls', calls: 100 } });
    measured.recordOk(1);
    vi.advanceTimersByTime(250);
    expect(io.statuses.at(-1)).toBe('0.3s · 1/100 calls · 4 calls/s · 0 errors');
    progress.stop();
  });

  it('writes nothing before the first phase', () => {
    const io = fakeIo();
    const progress = startProgress(io);
    vi.advanceTimersByTime(1000);
    progress.stop();
    expect(io.statuses).toEqual(['']);
  });
});
