import { describe, expect, it } from 'vitest';
import { latin1 } from './latin1.js';

describe('latin1', () => {
  it("gives Buffer's latin1 string for every byte value, in 8-byte client ids and other lengths", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let at = 0; at + 8 <= all.length; at++) {
      const id = all.subarray(at, at + 8);
      expect(latin1(id)).toBe(Buffer.from(id).toString('latin1'));
    }
    expect(latin1(all)).toBe(Buffer.from(all).toString('latin1'));
    expect(latin1(new Uint8Array(0))).toBe('');
  });
});
