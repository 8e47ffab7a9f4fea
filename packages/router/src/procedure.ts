import type { ProcedureExample } from '@volley/wire';
import type { z } from 'zod';
import type { BaseContext } from './context.js';
import type { AnyMiddleware, Middleware } from './middleware.js';

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** What a handler receives. */
export interface HandlerOptions<TContext, TInput> {
  input: TInput;
  ctx: TContext;
}

/** The runtime definition shared by builder and compiled entry. */
export interface ProcedureDef {
  readonly input: z.ZodType | undefined;
  readonly output: z.ZodType | undefined;
  readonly idempotent: boolean;
  readonly description: string | undefined;
  /** Set by `.deprecated()`: the reason, or `true`. Reported by `$describe`, marked in stubs. */
  readonly deprecated: string | true | undefined;
  /** Example calls for tools and generated stubs. */
  readonly examples: readonly ProcedureExample[];
  /** Set by `.maxInputBytes(n)`: the largest encoded input accepted, checked before decoding it. */
  readonly maxInputBytes: number | undefined;
  readonly middlewares: readonly AnyMiddleware[];
  readonly handler: ((options: HandlerOptions<any, any>) => unknown) | undefined;
}

/**
 * A finished procedure. `TInput` is what callers send (zod input type), `TOutput` what they get
 * back (zod output type); both exist only for type inference.
 */
export interface Procedure<TInput, TOutput> {
  readonly _kind: 'procedure';
  readonly _def: ProcedureDef;
  /** Phantom types for clients: never set at runtime. */
  readonly _types?: { input: TInput; output: TOutput };
}

/** Any procedure, whatever its types. */
export type AnyProcedure = Procedure<any, any>;

/** Extracts what callers pass. */
export type inferProcedureInput<T> = T extends Procedure<infer I, any> ? I : never;
/** Extracts what callers receive. */
export type inferProcedureOutput<T> = T extends Procedure<any, infer O> ? O : never;

/**
 * Immutable builder: every method returns a new builder, so a partially built procedure (say,
 * one with auth middleware) can be shared as a base.
 */
export class ProcedureBuilder<TContext, TInputIn, TInputOut, TOutputIn, TOutputOut> {
  readonly #def: ProcedureDef;

  constructor(def: ProcedureDef) {
    this.#def = def;
  }

  /** Validates the input with a zod schema; a failure answers `BAD_REQUEST` with the issues. */
  input<TSchema extends z.ZodType>(
    schema: TSchema,
  ): ProcedureBuilder<TContext, z.input<TSchema>, z.output<TSchema>, TOutputIn, TOutputOut> {
    return new ProcedureBuilder({ ...this.#def, input: schema });
  }

  /** Validates the handler's result; a failure answers `INTERNAL` and logs the detail. */
  output<TSchema extends z.ZodType>(
    schema: TSchema,
  ): ProcedureBuilder<TContext, TInputIn, TInputOut, z.input<TSchema>, z.output<TSchema>> {
    return new ProcedureBuilder({ ...this.#def, output: schema });
  }

  /** Declares that running the call twice has the same effect as once (safe to retry). */
  idempotent(): ProcedureBuilder<TContext, TInputIn, TInputOut, TOutputIn, TOutputOut> {
    return new ProcedureBuilder({ ...this.#def, idempotent: true });
  }

  /** A one-line description, shown by tools. */
  describe(text: string): ProcedureBuilder<TContext, TInputIn, TInputOut, TOutputIn, TOutputOut> {
    return new ProcedureBuilder({ ...this.#def, description: text });
  }

  /** Marks the procedure deprecated (it still runs); tools show the reason. */
  deprecated(reason?: string): ProcedureBuilder<TContext, TInputIn, TInputOut, TOutputIn, TOutputOut> {
    return new ProcedureBuilder({ ...this.#def, deprecated: reason ?? true });
  }

  /**
   * Refuses calls whose input takes more than `bytes` bytes of MessagePack, with
   * `PAYLOAD_TOO_LARGE` (not executed), before the input is decoded: a large input then costs the
   * server a scan of its headers, not its decoding and validation. Reported by `$describe`.
   * @example
   * const put = procedure.maxInputBytes(64 * 1024).input(z.object({ key: z.string(), value: z.string() })).handler(…);
   */
  maxInputBytes(bytes: number): ProcedureBuilder<TContext, TInputIn, TInputOut, TOutputIn, TOutputOut> {
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      throw new RangeError(`maxInputBytes must be a non-negative integer, got ${bytes}`);
    return new ProcedureBuilder({ ...this.#def, maxInputBytes: bytes });
  }

  /**
   * Adds an example call, shown by `volley describe` and in generated stubs. Typed against the
   * schemas declared so far, so examples cannot drift from them silently.
   */
  example(example: {
    title?: string;
    input: TInputIn;
    output?: TOutputOut;
  }): ProcedureBuilder<TContext, TInputIn, TInputOut, TOutputIn, TOutputOut> {
    return new ProcedureBuilder({ ...this.#def, examples: [...this.#def.examples, example] });
  }

  /** Adds middleware; what it passes to `next(...)` is merged into `ctx` for everything after it. */
  use<TAdded extends object>(
    middleware: Middleware<TContext, TAdded>,
  ): ProcedureBuilder<Omit<TContext, keyof TAdded> & TAdded, TInputIn, TInputOut, TOutputIn, TOutputOut> {
    return new ProcedureBuilder({ ...this.#def, middlewares: [...this.#def.middlewares, middleware as AnyMiddleware] });
  }

  /** Finishes the procedure. A handler that returns synchronously is called without extra promises. */
  handler<TResult extends TOutputIn>(
    fn: (options: HandlerOptions<TContext, TInputOut>) => MaybePromise<TResult>,
  ): Procedure<TInputIn, unknown extends TOutputOut ? Awaited<TResult> : TOutputOut> {
    return { _kind: 'procedure', _def: { ...this.#def, handler: fn as ProcedureDef['handler'] } };
  }
}

/**
 * The root procedure builder.
 * @example
 * const get = procedure.input(z.object({ key: z.string() })).idempotent().handler(({ input }) => store.get(input.key));
 */
export const procedure = new ProcedureBuilder<BaseContext, undefined, undefined, unknown, unknown>({
  input: undefined,
  output: undefined,
  idempotent: false,
  description: undefined,
  deprecated: undefined,
  examples: [],
  maxInputBytes: undefined,
  middlewares: [],
  handler: undefined,
});
