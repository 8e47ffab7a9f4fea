import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogLimiter } from './log-limiter.js';

/** A pino logger writing JSON lines into an array. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

afterEach(() => vi.useRealTimers());

describe('LogLimiter', () => {
  it('writes the first line of a window, counts the rest and says how many when the window ends', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { logger, lines } = capture();
    const limiter = new LogLimiter(logger, 10_000);

    for (let i = 0; i < 1_000; i++) limiter.log('info', 'malformed', { peer: i }, 'malformed envelope');
    expect(lines.map((line) => line.msg)).toEqual(['malformed envelope']);

    vi.advanceTimersByTime(10_000);
    expect(lines.map((line) => line.msg)).toEqual([
      'malformed envelope',
      'malformed envelope: 999 more in the last 10 s',
    ]);
    expect(lines[1]).toMatchObject({ peer: 999, suppressed: 999, windowMs: 10_000 });

    limiter.log('info', 'malformed', { peer: 'next' }, 'malformed envelope');
    expect(lines).toHaveLength(3);
  });

  it('keeps events apart by key, writes nothing for a level that is off, and flushes on demand', () => {
    const { logger, lines } = capture();
    logger.level = 'info';
    const limiter = new LogLimiter(logger, 10_000);

    limiter.log('warn', 'a', {}, 'a');
    limiter.log('warn', 'b', {}, 'b');
    limiter.log('warn', 'a', {}, 'a');
    limiter.log('debug', 'c', {}, 'c');
    limiter.flush();

    expect(lines.map((line) => line.msg)).toEqual(['a', 'b', 'a: 1 more in the last 10 s']);
  });
});
