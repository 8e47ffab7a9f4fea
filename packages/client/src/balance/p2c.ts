/**
 * Power of two choices (Mitzenmacher): draw two different candidates at random and take the one
 * that costs less. Almost as good as always taking the least loaded, without sorting, and without
 * the herd that "least loaded" sends to one endpoint when every client sees the same numbers.
 *
 * Returns the index of the chosen candidate, or -1 when there is none. `random` returns a number in
 * [0, 1) (Math.random, or a seeded generator in tests); ties go to the first draw.
 *
 * @example
 * const i = pickOfTwo(endpoints.length, (k) => endpoints[k].load.cost(now), Math.random);
 */
export function pickOfTwo(count: number, costOf: (index: number) => number, random: () => number): number {
  if (count <= 0) return -1;
  if (count === 1) return 0;
  const first = Math.floor(random() * count);
  // The second draw is over the other count − 1 candidates, so the two always differ.
  let second = Math.floor(random() * (count - 1));
  if (second >= first) second++;
  return costOf(second) < costOf(first) ? second : first;
}
