import { procedure, router } from '@volley/router';
import { RpcError } from '@volley/wire';
import { z } from 'zod';

/** What the server saw, recorded by the conformance router's procedures for the tests to inspect. */
export interface Observations {
  aborts: { procedure: string; code: unknown }[];
  contexts: { transport: string; trace: string | undefined; auth: string | undefined; hasDeadline: boolean; deadlineInMs: number | undefined; requestId: string }[];
  notes: unknown[];
  /** Resolvers for `hold` calls, so a test decides when they finish. */
  held: (() => void)[];
}

/** A router exercising every router feature the conformance suite checks, over any transport. */
export function createConformanceRouter(seen: Observations) {
  const waitForAbort = procedure
    .input(z.object({ ms: z.number() }))
    .handler(
      ({ input, ctx }) =>
        new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => resolve('finished'), input.ms);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            seen.aborts.push({ procedure: ctx.procedure, code: (ctx.signal.reason as RpcError).code });
            reject(ctx.signal.reason);
          });
        }),
    );
  return router({
    math: router({
      add: procedure
        .input(z.object({ a: z.number(), b: z.number() }))
        .output(z.object({ sum: z.number() }))
        .idempotent()
        .handler(({ input }) => ({ sum: input.a + input.b })),
      big: procedure
        .input(z.object({ n: z.number(), huge: z.bigint() }))
        .handler(({ input }) => ({ n: input.n + 1, huge: input.huge - 1n })),
    }),
    noInput: procedure.handler(() => 'no input needed'),
    whoami: procedure.handler(({ ctx }) => {
      const first = ctx.deadline;
      seen.contexts.push({
        transport: ctx.transport,
        trace: ctx.meta.trace,
        auth: ctx.meta.auth,
        hasDeadline: ctx.deadline !== undefined,
        // Read twice: the deadline is fixed once read, not recomputed.
        deadlineInMs: first === undefined || ctx.deadline !== first ? undefined : first - Date.now(),
        requestId: ctx.requestId,
      });
      return { transport: ctx.transport, peerTransport: ctx.peer.transport };
    }),
    refuse: procedure.handler(() => {
      throw new RpcError('PERMISSION_DENIED', 'not for you', { data: { need: 'admin' } });
    }),
    crash: procedure.handler(() => {
      throw new TypeError('secret internals: db password is hunter2');
    }),
    wait: waitForAbort,
    hold: procedure.handler(() => new Promise<string>((resolve) => seen.held.push(() => resolve('released')))),
    note: procedure.input(z.string()).handler(({ input }) => {
      seen.notes.push(input);
    }),
  });
}

/** The conformance router's type, for typed clients. */
export type ConformanceRouter = ReturnType<typeof createConformanceRouter>;

/** Fresh, empty observations. */
export function createObservations(): Observations {
  return { aborts: [], contexts: [], notes: [], held: [] };
}
