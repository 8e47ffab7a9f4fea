import type { AnyMiddleware } from './middleware.js';
import type { AnyProcedure, ProcedureDef } from './procedure.js';
import { type AnyRouter, assertNoReservedNames, flattenRouter } from './router.js';

/**
 * One procedure ready to run: a fixed shape so every call takes the same hidden class, with the
 * validators bound once here rather than looked up per call.
 */
export interface CompiledProcedure {
  readonly path: string;
  readonly idempotent: boolean;
  readonly description: string | undefined;
  /** Largest encoded input accepted (`.maxInputBytes(n)`); the server checks it before decoding. */
  readonly maxInputBytes: number | undefined;
  readonly def: ProcedureDef;
  readonly validateInput: Validator | undefined;
  readonly validateOutput: Validator | undefined;
  readonly middlewares: readonly AnyMiddleware[];
  readonly handler: NonNullable<ProcedureDef['handler']>;
}

/** A Standard Schema `validate`: sync when the schema has no async refinements. */
export type Validator = (value: unknown) => StandardResult | Promise<StandardResult>;
/** Standard Schema result shape (zod 4 implements the spec). */
export type StandardResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string;
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
      }>;
    };

/** A router compiled for dispatch: name → entry. */
export type CompiledRouter = ReadonlyMap<string, CompiledProcedure>;

/**
 * Compiles a router once, at registration; `dispatch` then does one `Map` lookup per call.
 * `builtins` are procedures the server adds beside the user's (`$describe`, `$health`): their names
 * must start with `$`, which user names cannot, so the two never collide.
 */
export function compileRouter(root: AnyRouter, builtins: Readonly<Record<string, AnyProcedure>> = {}): CompiledRouter {
  assertNoReservedNames(root);
  const compiled = new Map<string, CompiledProcedure>();
  for (const name of Object.keys(builtins)) {
    if (!name.startsWith('$')) throw new TypeError(`Built-in procedure name "${name}" must start with "$"`);
  }
  for (const [path, procedure] of [...flattenRouter(root), ...Object.entries(builtins)]) {
    const def = procedure._def;
    compiled.set(path, {
      path,
      idempotent: def.idempotent,
      description: def.description,
      maxInputBytes: def.maxInputBytes,
      def,
      validateInput: def.input && toValidator(def.input),
      validateOutput: def.output && toValidator(def.output),
      middlewares: def.middlewares,
      handler: def.handler as NonNullable<ProcedureDef['handler']>,
    });
  }
  return compiled;
}

function toValidator(schema: { '~standard': { validate: (value: unknown) => unknown } }): Validator {
  const standard = schema['~standard'];
  return (value) => standard.validate(value) as StandardResult | Promise<StandardResult>;
}
