import { describe, expect, it } from 'vitest';
import { closest, didYouMean } from './closest.js';

describe('closest', () => {
  it('suggests the nearest names, closest first, and nothing far off', () => {
    expect(closest('kv.gte', ['kv.get', 'kv.set', 'echo.add', 'kv.list'])).toEqual(['kv.get']);
    expect(closest('kv.st', ['kv.get', 'kv.set', 'echo.add'])).toEqual(['kv.set', 'kv.get']);
    expect(closest('cal', ['call', 'describe', 'health'])).toEqual(['call']);
    expect(closest('KV.GET', ['kv.get'])).toEqual(['kv.get']);
    expect(closest('zzzzzz', ['call', 'describe'])).toEqual([]);
  });

  it('phrases a hint, or nothing', () => {
    expect(didYouMean('--timout', ['--timeout', '--json'])).toBe(' Did you mean --timeout?');
    expect(didYouMean('qqqq', ['--timeout'])).toBe('');
  });
});
