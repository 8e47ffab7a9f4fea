/**
 * Elements and properties a value may have, in all, for {@link isSmallWithoutUndefined} to look
 * at it. Replies this small are the common case the scan pays for; a larger value goes to the
 * packer that skips undefined properties itself, so a 100 000-element array is never walked twice
 * (walking it cost ~10% of packing it).
 */
export const MAX_SCANNED_ITEMS = 64;

/**
 * True when `value` is small (at most {@link MAX_SCANNED_ITEMS} elements and properties in all)
 * and no property msgpackr would write, at any depth, is undefined. Walks what msgpackr walks
 * as plain objects and arrays; strings, typed arrays and other leaves hold no properties. Maps and
 * sets answer false: the packer that checks for itself handles them.
 */
export function isSmallWithoutUndefined(value: unknown): boolean {
  return scan(value, MAX_SCANNED_ITEMS) >= 0;
}

/** The budget left after `value`, or -1 for an undefined property or a value over budget. */
function scan(value: unknown, budget: number): number {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return budget;
  if (value instanceof Map || value instanceof Set) return -1;
  if (Array.isArray(value)) {
    let left = budget - value.length;
    for (let i = 0; i < value.length && left >= 0; i++) left = scan(value[i], left);
    return left;
  }
  let left = budget;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || --left < 0) return -1;
    left = scan(item, left);
    if (left < 0) return -1;
  }
  return left;
}
