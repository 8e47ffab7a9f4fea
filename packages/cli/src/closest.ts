/**
 * The candidates nearest to `typed` by edit distance (Levenshtein), for "did you mean" hints: at
 * most `max`, only those within a third of the typed length (at least 2 edits), closest first.
 * Case-insensitive, so `KV.GET` finds `kv.get`.
 */
export function closest(typed: string, candidates: Iterable<string>, max = 3): string[] {
  const wanted = typed.toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  const scored: { name: string; distance: number }[] = [];
  for (const name of candidates) {
    const distance = editDistance(wanted, name.toLowerCase());
    if (distance <= limit) scored.push({ name, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}

/** "Did you mean a, b?" or an empty string: a hint to append to an error line. */
export function didYouMean(typed: string, candidates: Iterable<string>): string {
  const near = closest(typed, candidates);
  return near.length === 0 ? '' : ` Did you mean ${near.join(', ')}?`;
}

/** Levenshtein distance with one row of memory. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
