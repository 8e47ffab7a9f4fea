import { describe, expect, it } from 'vitest';
import { KvStore } from './store.js';

describe('KvStore', () => {
  it('gives every set a new, higher version', () => {
    const store = new KvStore();
    const first = store.set('a', '1').version;
    const second = store.set('a', '1').version;
    expect(second).toBeGreaterThan(first);
    expect(store.get('a')).toMatchObject({ value: '1', version: second });
  });

  it('expires entries after their TTL, on read and on list', () => {
    let now = 1_000;
    const store = new KvStore(() => now);
    store.set('short', 'x', 100);
    store.set('forever', 'y');
    now = 1_099;
    expect(store.get('short')?.value).toBe('x');
    now = 1_100;
    expect(store.get('short')).toBeUndefined();
    store.set('short2', 'z', 50);
    now = 2_000;
    expect(store.list()).toEqual(['forever']);
  });

  it('lists keys in order under a prefix, up to a limit', () => {
    const store = new KvStore();
    for (const key of ['b/2', 'a/1', 'b/1', 'b/3']) store.set(key, key);
    expect(store.list('b/')).toEqual(['b/1', 'b/2', 'b/3']);
    expect(store.list('b/', 2)).toEqual(['b/1', 'b/2']);
  });

  it('reports whether delete removed something', () => {
    const store = new KvStore();
    store.set('k', 'v');
    expect(store.delete('k')).toBe(true);
    expect(store.delete('k')).toBe(false);
  });
});
