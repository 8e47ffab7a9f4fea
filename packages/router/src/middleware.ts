import type { RpcError } from '@volley/wire';

/**
 * What `next()` resolves to and a middleware returns: the call's outcome. `TAdded` is a phantom
 * that carries the context a middleware added, so `use()` can infer it from the return type.
 */
export type MiddlewareResult<TAdded = object> =
  | { readonly ok: true; readonly value: unknown; readonly _added?: TAdded }
  | { readonly ok: false; readonly error: RpcError; readonly _added?: TAdded };

/** What a middleware receives. */
export interface MiddlewareOptions<TContext> {
  ctx: TContext;
  /** Input after validation. */
  input: unknown;
  /** Full dotted procedure name. */
  path: string;
  /** Runs the rest of the chain; pass an object to add it to `ctx` downstream. */
  next: <TAdded extends object = object>(added?: TAdded) => Promise<MiddlewareResult<TAdded>>;
}

/**
 * Middleware can add to the context (`next({ user })`), observe the outcome
 * (`const result = await next(); ...; return result`), or stop the call by throwing an RpcError.
 */
export type Middleware<TContext, TAdded extends object> = (
  options: MiddlewareOptions<TContext>,
) => MiddlewareResult<TAdded> | Promise<MiddlewareResult<TAdded>>;

/** Any middleware, whatever its types. */
export type AnyMiddleware = Middleware<any, any>;

/**
 * Declares a reusable middleware with its context type.
 * @example
 * const timed = middleware<BaseContext>()(async ({ ctx, next }) => { const r = await next(); ctx.logger.info('done'); return r; });
 */
export function middleware<TContext>() {
  return <TAdded extends object>(fn: Middleware<TContext, TAdded>) => fn;
}
