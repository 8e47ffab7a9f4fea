/**
 * Identifiers for generated code. Every name is built from `[A-Za-z0-9]` only, starts with an
 * upper-case letter and has an upper-case letter after each digit run, so json-schema-to-typescript
 * (which re-cases names it is given) keeps it unchanged and the stub can refer to it.
 */

/** Top-level client members (`ClientMethods`); no procedure or namespace may take these names. */
export const RESERVED_MEMBER_NAMES: ReadonlySet<string> = new Set(['call', 'close', 'notify', 'stats', 'then']);

/**
 * `kv.get` → `KvGet`, `user-profile.v2beta` → `UserProfileV2Beta`. A name that would start with a
 * digit gets an `N` in front; an empty one becomes `Unnamed`.
 */
export function toPascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  const joined = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  const cased = joined.replace(/(\d)([a-z])/g, (_, digit: string, letter: string) => digit + letter.toUpperCase());
  if (cased === '') return 'Unnamed';
  return /^\d/.test(cased) ? `N${cased}` : cased;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property key as written in an interface: bare when it is an identifier, else a quoted string. */
export function toPropertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : quote(name);
}

/** A single-quoted TypeScript string literal (the escapes of JSON, with `'` escaped instead of `"`). */
export function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/**
 * Hands out names that are unique within one generated file. A taken name gets the smallest free
 * numeric suffix (`KvGetInput2`). Callers ask in a fixed (sorted) order, so the result is
 * deterministic; a procedure's own names are asked for before any of its `$defs`, so adding a
 * procedure never renames the types of another unless their names truly clash.
 */
export class NameAllocator {
  #taken = new Set<string>();

  /** Marks names used by the file's fixed parts (imports, the client interface). */
  reserve(...names: string[]): void {
    for (const name of names) this.#taken.add(name);
  }

  /** Whether `name` is already taken. */
  has(name: string): boolean {
    return this.#taken.has(name);
  }

  /** `wanted` if free, else `wanted2`, `wanted3`, …; the returned name is taken from then on. */
  allocate(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.#taken.has(name); n++) name = `${wanted}${n}`;
    this.#taken.add(name);
    return name;
  }
}
