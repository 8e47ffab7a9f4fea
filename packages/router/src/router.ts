import type { AnyProcedure } from './procedure.js';

/** A record of procedures and nested routers; keys become dotted names (`kv.get`). */
export interface RouterRecord {
  [key: string]: AnyProcedure | Router<any>;
}

/** A tree of procedures. Only its type is needed by clients. */
export interface Router<TRecord extends RouterRecord> {
  readonly _kind: 'router';
  readonly record: TRecord;
}

/** Any router, whatever its procedures. */
export type AnyRouter = Router<any>;

/**
 * Names a client reserves on its proxy (`client.call`, `client.close`), plus `then`, which would
 * make the proxy look like a promise to `await`. Names starting with `$` are for built-ins.
 */
const RESERVED_TOP_LEVEL = new Set(['call', 'close', 'notify', 'then', 'stats']);
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Groups procedures and routers under names.
 * @example
 * const app = router({ kv: router({ get, set }), echo });
 */
export function router<TRecord extends RouterRecord>(record: TRecord): Router<TRecord> {
  for (const [name, value] of Object.entries(record)) {
    if (!NAME_PATTERN.test(name)) throw new TypeError(`Procedure or router name "${name}" must match ${NAME_PATTERN}`);
    if (value?._kind !== 'procedure' && value?._kind !== 'router')
      throw new TypeError(`"${name}" is neither a procedure nor a router`);
    if (value._kind === 'procedure' && value._def.handler === undefined)
      throw new TypeError(`Procedure "${name}" has no handler`);
  }
  return { _kind: 'router', record };
}

/** Checks names the client proxy reserves; called once for the root router when it is served. */
export function assertNoReservedNames(root: AnyRouter): void {
  for (const name of Object.keys(root.record)) {
    if (RESERVED_TOP_LEVEL.has(name))
      throw new TypeError(`Top-level name "${name}" is reserved by the client; nest it in a router`);
  }
}

/** Walks the tree depth-first, yielding every procedure with its dotted name. */
export function* flattenRouter(root: AnyRouter, prefix = ''): Generator<[string, AnyProcedure]> {
  for (const [name, value] of Object.entries(root.record as RouterRecord)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (value._kind === 'router') yield* flattenRouter(value, path);
    else yield [path, value];
  }
}
