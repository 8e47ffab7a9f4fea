/** 2^64: the first integer uint64 cannot hold. */
const UINT64_LIMIT = 2 ** 64;
/** -2^63: the smallest integer int64 can hold. */
const INT64_MIN = -(2 ** 63);

/**
 * msgpackr writes any JS number outside the 32-bit range as float64, which other MessagePack
 * implementations then read as a float. Volley promises that integers stay integers, so a safe
 * integer beyond 32 bits is re-expressed as a BigInt, which msgpackr writes as int64/uint64.
 *
 * Returns the same reference when nothing needed widening, so callers can tell cheaply.
 * Only plain objects and arrays are walked: that is all a schema-validated payload contains.
 */
export function widenLargeIntegers(value: unknown): unknown {
  if (typeof value === 'number') {
    // Beyond the 64-bit ranges no integer encoding exists: such a number stays a float64.
    return Number.isInteger(value) &&
      (value > 0xffff_ffff || value < -0x8000_0000) &&
      value < UINT64_LIMIT &&
      value >= INT64_MIN
      ? BigInt(value)
      : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const widened = widenLargeIntegers(item);
      if (widened !== item) {
        copy ??= value.slice();
        copy[i] = widened;
      }
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const widened = widenLargeIntegers(item);
    if (widened !== item) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[key] = widened;
    }
  }
  return copy ?? value;
}
