import { RpcError } from '@volley/wire';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileRouter } from './compile.js';
import type { BaseContext } from './context.js';
import { dispatch, dispatchProcedure, INTERNAL_MESSAGE } from './dispatch.js';
import { procedure } from './procedure.js';
import { router } from './router.js';

function context(overrides: Partial<BaseContext> = {}): BaseContext {
  return {
    requestId: 't/1',
    procedure: 'test',
    logger: pino({ level: 'silent' }),
    peer: { transport: 'memory', address: 'test', port: 0 },
    transport: 'memory',
    deadline: undefined,
    signal: new AbortController().signal,
    meta: {},
    ...overrides,
  };
}

const add = procedure
  .input(z.object({ a: z.number(), b: z.number() }))
  .output(z.object({ sum: z.number() }))
  .handler(({ input }) => ({ sum: input.a + input.b }));

describe('dispatch', () => {
  it('runs a synchronous handler without returning a promise', () => {
    const compiled = compileRouter(router({ add }));
    const result = dispatch(compiled, 'add', { a: 1, b: 2 }, context());
    expect(result).toEqual({ ok: true, value: { sum: 3 } });
  });

  it('finds procedures of nested routers by dotted name', async () => {
    const compiled = compileRouter(router({ math: router({ ops: router({ add }) }) }));
    expect([...compiled.keys()]).toEqual(['math.ops.add']);
    expect(await dispatch(compiled, 'math.ops.add', { a: 2, b: 2 }, context())).toEqual({
      ok: true,
      value: { sum: 4 },
    });
  });

  it('answers BAD_REQUEST with the zod issues when the input is invalid', () => {
    const result = dispatch(compileRouter(router({ add })), 'add', { a: 'x', b: 2 }, context());
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    if (!('ok' in result) || result.ok) throw new Error('expected a sync failure');
    expect(result.error.data).toEqual({
      issues: [{ path: ['a'], message: 'Invalid input: expected number, received string' }],
    });
    expect(result.error.notExecuted).toBe(true);
  });

  it('answers NOT_FOUND naming the unknown procedure', () => {
    const result = dispatch(compileRouter(router({ add })), 'sub', {}, context());
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'No procedure named "sub"' } });
  });

  it('runs an entry the caller looked up itself, and answers NOT_FOUND for none', () => {
    const compiled = compileRouter(router({ add }));
    expect(dispatchProcedure(compiled.get('add'), 'add', { a: 1, b: 2 }, context())).toEqual({
      ok: true,
      value: { sum: 3 },
    });
    expect(dispatchProcedure(undefined, 'sub', {}, context())).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No procedure named "sub"' },
    });
  });

  it('hides an output validation failure as INTERNAL and keeps the detail in cause', async () => {
    const bad = procedure
      .output(z.object({ n: z.number() }))
      .handler(() => ({ n: 'not a number' }) as unknown as { n: number });
    const result = await dispatch(compileRouter(router({ bad })), 'bad', undefined, context());
    if (result.ok) throw new Error('expected failure');
    expect(result.error.code).toBe('INTERNAL');
    expect(result.error.message).toBe(INTERNAL_MESSAGE);
    expect(result.error.toWire()).toEqual({ code: 'INTERNAL', message: INTERNAL_MESSAGE });
    expect(String((result.error.cause as Error).message)).toContain('Output of "bad" failed validation');
  });

  it('passes an RpcError thrown by a handler through with code, message and data', async () => {
    const denied = procedure.handler(async () => {
      throw new RpcError('PERMISSION_DENIED', 'no', { data: { role: 'guest' } });
    });
    const result = await dispatch(compileRouter(router({ denied })), 'denied', undefined, context());
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'PERMISSION_DENIED', message: 'no', data: { role: 'guest' } },
    });
  });

  it('turns any other throw into a generic INTERNAL with the original as cause', () => {
    const boom = new TypeError('secret detail');
    const broken = procedure.handler(() => {
      throw boom;
    });
    const result = dispatch(compileRouter(router({ broken })), 'broken', undefined, context());
    if (!('ok' in result) || result.ok) throw new Error('expected a sync failure');
    expect(result.error.code).toBe('INTERNAL');
    expect(result.error.message).toBe(INTERNAL_MESSAGE);
    expect(result.error.cause).toBe(boom);
  });

  it('reports the signal reason when a handler rejects because its signal aborted', async () => {
    const controller = new AbortController();
    const waits = procedure.handler(
      ({ ctx }) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    );
    const pending = dispatch(
      compileRouter(router({ waits })),
      'waits',
      undefined,
      context({ signal: controller.signal }),
    );
    controller.abort(new RpcError('CANCELLED', 'Cancelled by the caller'));
    expect(await pending).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });
});

describe('middleware', () => {
  it('adds to the context for the middleware and handler after it', async () => {
    const whoami = procedure
      .use(({ next }) => next({ user: 'ada' }))
      .use(({ ctx, next }) => next({ greeting: `hello ${ctx.user}` }))
      .handler(({ ctx }) => ({ user: ctx.user, greeting: ctx.greeting, procedure: ctx.procedure }));
    const result = await dispatch(
      compileRouter(router({ whoami })),
      'whoami',
      undefined,
      context({ procedure: 'whoami' }),
    );
    expect(result).toEqual({ ok: true, value: { user: 'ada', greeting: 'hello ada', procedure: 'whoami' } });
  });

  it('observes the outcome of the call', async () => {
    const seen: unknown[] = [];
    const observed = procedure
      .use(async ({ next, path }) => {
        const outcome = await next();
        seen.push({ path, ok: outcome.ok });
        return outcome;
      })
      .input(z.object({ a: z.number(), b: z.number() }))
      .handler(({ input }) => input.a * input.b);
    expect(await dispatch(compileRouter(router({ observed })), 'observed', { a: 3, b: 4 }, context())).toEqual({
      ok: true,
      value: 12,
    });
    expect(seen).toEqual([{ path: 'observed', ok: true }]);
  });

  it('stops the call with an error before the handler runs', async () => {
    let ran = false;
    const guarded = procedure
      .use(() => {
        throw new RpcError('UNAUTHENTICATED', 'who are you?');
      })
      .handler(() => {
        ran = true;
      });
    const result = await dispatch(compileRouter(router({ guarded })), 'guarded', undefined, context());
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(ran).toBe(false);
  });
});

describe('router', () => {
  it('refuses top-level names the client proxy reserves', () => {
    expect(() => compileRouter(router({ close: add }))).toThrow(/reserved/);
  });

  it('refuses a procedure without a handler', () => {
    expect(() => router({ half: procedure.input(z.string()) as never })).toThrow(/neither a procedure nor a router/);
  });
});

describe('what a failure says about execution', () => {
  it('marks a "not executed" code thrown by the handler as may-have-executed', async () => {
    const missing = procedure.handler(() => {
      throw new RpcError('NOT_FOUND', 'no such key');
    });
    const result = await dispatch(compileRouter(router({ missing })), 'missing', undefined, context());
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no such key', notExecuted: false },
    });
  });

  it('keeps a middleware refusal before next() as not executed', async () => {
    const guarded = procedure
      .use(() => {
        throw new RpcError('PERMISSION_DENIED', 'no');
      })
      .handler(() => 'never');
    const result = await dispatch(compileRouter(router({ guarded })), 'guarded', undefined, context());
    expect(result).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED', notExecuted: true } });
  });
});

describe('middleware that returns no outcome', () => {
  it.each([
    [
      'undefined, having called next()',
      true,
      async ({ next }: { next: () => Promise<unknown> }) => void (await next()),
    ],
    ['a function, without calling next()', false, () => () => 1],
  ])('answers INTERNAL when it returns %s', async (_label, ran, fn) => {
    const broken = procedure.use(fn as never).handler(() => 'x');
    const result = await dispatch(compileRouter(router({ broken })), 'broken', undefined, context());
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', message: INTERNAL_MESSAGE, notExecuted: !ran },
    });
  });
});
