import { DEFAULT_CLOSE_GRACE_MS } from '@volley/server';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GRACE_MS, LOG_LEVELS } from './serve.js';

// serve.ts writes these out so that starting the CLI loads neither the server nor pino.
describe('volley serve defaults written out', () => {
  it('match the server grace period and pino level names', () => {
    expect(DEFAULT_GRACE_MS).toBe(DEFAULT_CLOSE_GRACE_MS);
    expect([...LOG_LEVELS].sort()).toEqual([...Object.keys(pino.levels.values), 'silent'].sort());
  });
});
