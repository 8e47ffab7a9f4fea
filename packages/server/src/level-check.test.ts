import type { Logger } from '@volley/router';
import { pino } from 'pino';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { levelCheckOf } from './level-check.js';

const noop = () => {};
function bareLogger(extra: Partial<Logger> = {}): Logger {
  const logger: Logger = { error: noop, warn: noop, info: noop, debug: noop, child: () => logger, ...extra };
  return logger;
}

describe('levelCheckOf', () => {
  it('accepts pino and its children as the logger type', () => {
    expectTypeOf(pino()).toExtend<Logger>();
    expectTypeOf(pino().child({ reqId: 'a' })).toExtend<Logger>();
  });

  it("uses the logger's own isLevelEnabled when it has one", () => {
    const enabled = levelCheckOf(pino({ level: 'warn' }));
    expect([enabled('debug'), enabled('info'), enabled('warn'), enabled('error')]).toEqual([false, false, true, true]);
  });

  it('compares pino level names when the logger has a level but no isLevelEnabled, following later changes', () => {
    const logger = bareLogger({ level: 'info' });
    const enabled = levelCheckOf(logger);
    expect([enabled('debug'), enabled('info'), enabled('warn')]).toEqual([false, true, true]);
    logger.level = 'silent';
    expect(enabled('error')).toBe(false);
  });

  it('counts every level as enabled for a logger with neither, or with a level name it does not know', () => {
    expect(levelCheckOf(bareLogger())('debug')).toBe(true);
    expect(levelCheckOf(bareLogger({ level: 'verbose' }))('debug')).toBe(true);
  });
});
