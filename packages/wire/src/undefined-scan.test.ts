import { describe, expect, it } from 'vitest';
import { isSmallWithoutUndefined, MAX_SCANNED_ITEMS } from './undefined-scan.js';

describe('isSmallWithoutUndefined', () => {
  it('accepts leaves and small values whose every property is defined', () => {
    for (const value of [
      undefined,
      null,
      1,
      'x',
      Buffer.from([1]),
      { sum: 3 },
      { a: [1, { b: null }], c: 'd' },
      [undefined, 1],
    ]) {
      expect(isSmallWithoutUndefined(value)).toBe(true);
    }
  });

  it('finds an undefined property at any depth, inside arrays too', () => {
    expect(isSmallWithoutUndefined({ a: undefined })).toBe(false);
    expect(isSmallWithoutUndefined({ a: { b: [{ c: undefined }] } })).toBe(false);
    expect(isSmallWithoutUndefined([{ a: 1 }, { b: undefined }])).toBe(false);
  });

  it('declines values above its budget and maps or sets, so the skipping packer takes them', () => {
    expect(isSmallWithoutUndefined(Array.from({ length: MAX_SCANNED_ITEMS }, (_, i) => i))).toBe(true);
    expect(isSmallWithoutUndefined(Array.from({ length: MAX_SCANNED_ITEMS + 1 }, (_, i) => i))).toBe(false);
    expect(
      isSmallWithoutUndefined(
        Object.fromEntries(Array.from({ length: MAX_SCANNED_ITEMS + 1 }, (_, i) => [`k${i}`, i])),
      ),
    ).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < MAX_SCANNED_ITEMS + 1; i++) deep = { d: deep };
    expect(isSmallWithoutUndefined(deep)).toBe(false);
    expect(isSmallWithoutUndefined(new Map([['a', 1]]))).toBe(false);
    expect(isSmallWithoutUndefined(new Set([1]))).toBe(false);
  });
});
