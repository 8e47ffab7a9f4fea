import { isRpcError, RpcError } from '@volley/wire';
import { err, ok, type Result } from '@volley/wire/internal';
import type { CompiledProcedure, CompiledRouter, StandardResult } from './compile.js';
import type { BaseContext } from './context.js';
import type { MiddlewareResult } from './middleware.js';
import { toInputIssues } from './schema-issues.js';

/** The outcome of one call: the validated output, or the error to send. */
export type CallResult = Result<unknown, RpcError>;

/** Generic text for failures whose detail must stay in the server log. */
export const INTERNAL_MESSAGE = 'Internal server error';

/**
 * Runs one call: lookup, input validation, middleware, handler, output validation. Never throws:
 * anything thrown is normalised here, the one boundary where that happens.
 *
 * Returns synchronously when validation and handler are synchronous and there is no middleware,
 * so the common case allocates no promise. Errors that hide detail from the caller
 * (`INTERNAL`) keep it in `cause` for the server's log.
 */
export function dispatch(
  router: CompiledRouter,
  path: string,
  input: unknown,
  ctx: BaseContext,
): CallResult | Promise<CallResult> {
  return dispatchProcedure(router.get(path), path, input, ctx);
}

/**
 * {@link dispatch} for a caller that has already looked `path` up (the server reads the entry's
 * flags before it runs a call): `entry` is what `router.get(path)` returned, `NOT_FOUND` when undefined.
 */
export function dispatchProcedure(
  entry: CompiledProcedure | undefined,
  path: string,
  input: unknown,
  ctx: BaseContext,
): CallResult | Promise<CallResult> {
  if (entry === undefined)
    return err(new RpcError('NOT_FOUND', `No procedure named "${path}"`, { data: { procedure: path } }));
  if (entry.validateInput === undefined) return afterInput(entry, input, ctx);
  let checked: StandardResult | Promise<StandardResult>;
  try {
    checked = entry.validateInput(input);
  } catch (cause) {
    return err(toRpcError(cause, ctx, false));
  }
  if (checked instanceof Promise) {
    return checked.then(
      (result) => (result.issues ? badInput(path, result.issues) : afterInput(entry, result.value, ctx)),
      (cause: unknown) => err(toRpcError(cause, ctx, false)),
    );
  }
  return checked.issues ? badInput(path, checked.issues) : afterInput(entry, checked.value, ctx);
}

function badInput(path: string, issues: Parameters<typeof toInputIssues>[0]): CallResult {
  const list = toInputIssues(issues);
  const first = list[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
  return err(
    new RpcError('BAD_REQUEST', `Invalid input for "${path}"${where}: ${first?.message ?? 'validation failed'}`, {
      data: { issues: list },
    }),
  );
}

function afterInput(entry: CompiledProcedure, input: unknown, ctx: BaseContext): CallResult | Promise<CallResult> {
  if (entry.middlewares.length === 0) return runHandler(entry, input, ctx);
  return runChain(entry, input, ctx);
}

function runHandler(entry: CompiledProcedure, input: unknown, ctx: BaseContext): CallResult | Promise<CallResult> {
  let output: unknown;
  try {
    output = entry.handler({ input, ctx });
  } catch (cause) {
    return err(toRpcError(cause, ctx, true));
  }
  if (output instanceof Promise) {
    return output.then(
      (value: unknown) => checkOutput(entry, value),
      (cause: unknown) => err(toRpcError(cause, ctx, true)),
    );
  }
  return checkOutput(entry, output);
}

function checkOutput(entry: CompiledProcedure, output: unknown): CallResult | Promise<CallResult> {
  if (entry.validateOutput === undefined) return ok(output);
  const checked = entry.validateOutput(output);
  return checked instanceof Promise
    ? checked.then((result) => toOutputResult(entry, result))
    : toOutputResult(entry, checked);
}

/** A module function rather than a closure made per call: this runs for every validated reply. */
function toOutputResult(entry: CompiledProcedure, result: StandardResult): CallResult {
  if (!result.issues) return ok(result.value);
  return err(
    new RpcError('INTERNAL', INTERNAL_MESSAGE, {
      cause: new Error(`Output of "${entry.path}" failed validation: ${JSON.stringify(toInputIssues(result.issues))}`),
    }),
  );
}

/** Runs middleware in order, each wrapping the rest; context additions merge downstream. */
async function runChain(entry: CompiledProcedure, input: unknown, baseCtx: BaseContext): Promise<CallResult> {
  const run = async (index: number, ctx: BaseContext): Promise<MiddlewareResult> => {
    const middleware = entry.middlewares[index];
    if (middleware === undefined) return runHandler(entry, input, ctx);
    let called = false;
    let result: MiddlewareResult;
    try {
      result = await middleware({
        ctx,
        input,
        path: entry.path,
        next: (added?: object) => {
          if (called) throw new Error(`Middleware ${index} of "${entry.path}" called next() twice`);
          called = true;
          // Derive rather than spread: lazy members of ctx (logger, signal) are getters that a spread would call or lose.
          return run(
            index + 1,
            added === undefined ? ctx : Object.assign(Object.create(ctx) as BaseContext, added),
          ) as Promise<MiddlewareResult<any>>;
        },
      });
    } catch (cause) {
      // Thrown before next(): nothing downstream ran. After it: the handler may have.
      return err(toRpcError(cause, ctx, called));
    }
    // Plain JavaScript middleware can forget `return next()`; without this check the server would
    // try to send `undefined` as an error.
    if (
      typeof result !== 'object' ||
      result === null ||
      typeof result.ok !== 'boolean' ||
      (!result.ok && !isRpcError(result.error))
    ) {
      const cause = new Error(
        `Middleware ${index} of "${entry.path}" returned no call outcome: it must return what next() resolved to`,
      );
      return err(new RpcError('INTERNAL', INTERNAL_MESSAGE, { cause, notExecuted: !called }));
    }
    return result;
  };
  const result = await run(0, baseCtx);
  return result.ok ? ok(result.value) : err(result.error);
}

/**
 * Normalises anything thrown: RpcErrors keep code, message and data; aborts become the signal's
 * reason; the rest is INTERNAL. When the handler may have run (`mayHaveRun`), a code that
 * normally means "not executed" is marked otherwise, so no caller retries a call that took effect.
 */
function toRpcError(cause: unknown, ctx: BaseContext, mayHaveRun: boolean): RpcError {
  let error: RpcError;
  if (isRpcError(cause)) error = cause;
  else if (ctx.signal.aborted && isRpcError(ctx.signal.reason)) error = ctx.signal.reason;
  else return new RpcError('INTERNAL', INTERNAL_MESSAGE, { cause });
  if (mayHaveRun && error.notExecuted) {
    return new RpcError(error.code, error.message, { data: error.data, cause: error, notExecuted: false });
  }
  return error;
}
