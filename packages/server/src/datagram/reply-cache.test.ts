import { describe, expect, it } from 'vitest';
import { REPLY_CACHE_SLACK_MS } from '../constants.js';
import { ReplyCache } from './reply-cache.js';

describe('ReplyCache', () => {
  it('returns a stored reply until the deadline plus slack has passed', () => {
    const cache = new ReplyCache();
    cache.set('c/1', Buffer.from('reply'), 1000, 0);
    expect(cache.get('c/1', 1000 + REPLY_CACHE_SLACK_MS - 1)?.toString()).toBe('reply');
    expect(cache.get('c/1', 1000 + REPLY_CACHE_SLACK_MS)).toBeUndefined();
    expect(cache.counters).toMatchObject({ hits: 1, expired: 1, evictions: 0 });
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it('stays within its byte cap under 100 000 distinct calls, evicting the oldest and counting it', () => {
    const maxBytes = 1024 * 1024;
    const cache = new ReplyCache({ maxBytes });
    const body = Buffer.alloc(200, 1);
    let peak = 0;
    for (let i = 0; i < 100_000; i++) {
      cache.set(`client/${i}`, body, 10_000, i / 100);
      peak = Math.max(peak, cache.bytes);
    }
    expect(peak).toBeLessThanOrEqual(maxBytes);
    expect(cache.counters.evictions).toBe(100_000 - cache.size);
    expect(cache.get('client/0', 1000)).toBeUndefined();
    expect(cache.get('client/99999', 1000)).toBeDefined();
  });

  it('stays within its entry cap', () => {
    const cache = new ReplyCache({ maxEntries: 10 });
    for (let i = 0; i < 50; i++) cache.set(`k/${i}`, Buffer.alloc(1), 1000, 0);
    expect(cache.size).toBe(10);
    expect(cache.counters.evictions).toBe(40);
  });

  it('does not store a reply larger than the whole cap', () => {
    const cache = new ReplyCache({ maxBytes: 1000 });
    cache.set('small', Buffer.alloc(10), 1000, 0);
    cache.set('huge', Buffer.alloc(5000), 1000, 0);
    expect(cache.get('huge', 1)).toBeUndefined();
    expect(cache.get('small', 1)).toBeDefined();
  });
});

describe('ReplyCache at its cap', () => {
  it('evicts exactly the oldest entry per insert once full, for 200 000 inserts', () => {
    // A byte cap far away: this test is about the entry cap.
    const cache = new ReplyCache({ maxEntries: 100_000, maxBytes: 1 << 30 });
    const body = Buffer.alloc(16);
    for (let i = 0; i < 100_000; i++) cache.set(`fill/${i}`, body, 10_000, 0);
    // 200 000 more inserts, each evicting one entry (the speed of this is measured by npm run bench).
    for (let i = 0; i < 200_000; i++) cache.set(`more/${i}`, body, 10_000, 0);
    expect(cache.size).toBe(100_000);
    expect(cache.counters.evictions).toBe(200_000);
    expect(cache.get('more/199999', 1)).toBeDefined();
    expect(cache.get('fill/0', 1)).toBeUndefined();
    expect(cache.get('more/100000', 1)).toBeDefined();
    expect(cache.get('more/99999', 1)).toBeUndefined();
  });

  it('replacing a key keeps one entry and its bytes counted once', () => {
    const cache = new ReplyCache();
    cache.set('k', Buffer.alloc(100), 1000, 0);
    const once = cache.bytes;
    cache.set('k', Buffer.alloc(100), 1000, 0);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(once);
  });
});
