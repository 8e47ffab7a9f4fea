import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MsgidTable } from './msgid-table.js';

type Op = { op: 'set' | 'delete' | 'get'; id: number };

/** Ids as a client makes them (consecutive from a random start, wrapping) mixed with arbitrary uint32s. */
const idArb = fc.oneof(
  fc.integer({ min: 0xffff_ff00, max: 0xffff_ffff }),
  fc.integer({ min: 0, max: 300 }),
  fc.nat({ max: 0xffff_ffff }),
);
const opArb: fc.Arbitrary<Op> = fc.record({ op: fc.constantFrom('set', 'delete', 'get'), id: idArb });

describe('MsgidTable', () => {
  it('behaves as a Map under any sequence of sets, deletes and gets (growing and shrinking)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 3000 }), (ops) => {
        const table = new MsgidTable<{ id: number }>();
        const model = new Map<number, { id: number }>();
        for (const { op, id } of ops) {
          if (op === 'set') {
            const value = { id };
            table.set(id, value);
            model.set(id, value);
          } else if (op === 'delete') expect(table.delete(id)).toBe(model.delete(id));
          else expect(table.get(id)).toBe(model.get(id));
          expect(table.size).toBe(model.size);
        }
        for (const [id, value] of model) expect(table.get(id)).toBe(value);
        expect(new Set(table.values())).toEqual(new Set(model.values()));
      }),
      { seed: 20261125, numRuns: 200 },
    );
  });

  it('answers on a fresh table, which has no slots until the first set', () => {
    const table = new MsgidTable<string>();
    expect(table.get(7)).toBeUndefined();
    expect(table.has(7)).toBe(false);
    expect(table.delete(7)).toBe(false);
    expect(table.values()).toEqual([]);
    table.set(7, 'seven');
    expect(table.get(7)).toBe('seven');
    expect(table.delete(7)).toBe(true);
    expect(table.get(7)).toBeUndefined();
  });

  it('holds a burst of 100 000 calls across the 2^32 wrap, and keeps the stragglers through shrinking', () => {
    const table = new MsgidTable<number>();
    const start = 0xffff_0000; // wraps past 2^32 half way
    for (let i = 0; i < 100_000; i++) table.set((start + i) >>> 0, i + 1);
    expect(table.size).toBe(100_000);
    let found = 0;
    for (let i = 0; i < 100_000; i++) if (table.get((start + i) >>> 0) === i + 1) found++;
    expect(found).toBe(100_000);
    let deleted = 0;
    for (let i = 0; i < 99_990; i++) if (table.delete((start + i) >>> 0)) deleted++;
    expect(deleted).toBe(99_990);
    expect(table.size).toBe(10);
    expect(table.values().sort((a, b) => a - b)).toEqual([
      99_991, 99_992, 99_993, 99_994, 99_995, 99_996, 99_997, 99_998, 99_999, 100_000,
    ]);
    expect(table.get(start)).toBeUndefined();
  });
});
