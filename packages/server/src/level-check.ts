import type { Logger } from '@volley/router';

/** Whether a line at `level` would be written. */
export type LevelCheck = (level: string) => boolean;

/** pino's level numbers (`pino.levels.values`), for loggers that name their level but cannot test it. */
const PINO_LEVEL_VALUES: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

/**
 * The level test for `logger`, chosen once when the server is created: its own `isLevelEnabled`
 * (pino's); else its `level` read at each test, so a level changed at run time still applies;
 * else "enabled" — the logger drops what it does not want, and the server only loses the
 * saving of not building the fields.
 */
export function levelCheckOf(logger: Logger): LevelCheck {
  if (typeof logger.isLevelEnabled === 'function')
    return (level) => (logger.isLevelEnabled as (level: string) => boolean)(level);
  if (typeof logger.level === 'string') {
    return (level) => {
      const threshold = PINO_LEVEL_VALUES[logger.level as string];
      return threshold === undefined || (PINO_LEVEL_VALUES[level] ?? 0) >= threshold;
    };
  }
  return () => true;
}
