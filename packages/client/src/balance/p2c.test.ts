import { describe, expect, it } from 'vitest';
import { pickOfTwo } from './p2c.js';

/** Returns the given values in turn, as a seeded generator would. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

describe('pickOfTwo', () => {
  it('has nothing to pick from an empty set and one choice from a single candidate', () => {
    expect(pickOfTwo(0, () => 0, Math.random)).toBe(-1);
    expect(pickOfTwo(1, () => 0, Math.random)).toBe(0);
  });

  it('takes the cheaper of the two drawn candidates', () => {
    const costs = [5, 1, 9];
    // Draws index 0 first, then the first of the other two (index 1): 1 is cheaper.
    expect(pickOfTwo(3, (i) => costs[i] as number, sequence(0.1, 0.1))).toBe(1);
    // Draws index 2, then 0: 0 is cheaper.
    expect(pickOfTwo(3, (i) => costs[i] as number, sequence(0.9, 0.1))).toBe(0);
  });

  it('never draws the same candidate twice, and a tie goes to the first draw', () => {
    // Second draw 0 of the remaining [0, 2] when the first is 1: index 0.
    expect(pickOfTwo(3, () => 1, sequence(0.5, 0.0))).toBe(1);
    for (let first = 0; first < 4; first++) {
      for (let second = 0; second < 3; second++) {
        const seen: number[] = [];
        pickOfTwo(
          4,
          (i) => {
            seen.push(i);
            return 0;
          },
          sequence((first + 0.5) / 4, (second + 0.5) / 3),
        );
        expect(new Set(seen).size).toBe(2);
      }
    }
  });

  it('spreads picks over equal candidates and avoids the most loaded one', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const costs = [1, 1, 1, 100];
    const counts = [0, 0, 0, 0];
    for (let n = 0; n < 3000; n++) {
      const picked = pickOfTwo(4, (i) => costs[i] as number, random);
      counts[picked] = (counts[picked] ?? 0) + 1;
    }
    expect(counts[3]).toBe(0);
    for (const count of counts.slice(0, 3)) expect(count).toBeGreaterThan(800);
  });
});
