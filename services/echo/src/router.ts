import { setTimeout as sleep } from 'node:timers/promises';
import { procedure, router } from '@volley/router';
import { RpcError } from '@volley/wire';
import { z } from 'zod';

/** Longest `slow` call accepted, so a typo cannot park a handler for hours. */
export const MAX_SLOW_MS = 60_000;

/** The echo service: the smallest useful procedures, for demos, tests and benchmarks. */
export const echoRouter = router({
  echo: procedure
    .describe('Returns the message it was given.')
    .input(z.object({ message: z.string() }))
    .output(z.object({ message: z.string() }))
    .idempotent()
    .example({ input: { message: 'hello' }, output: { message: 'hello' } })
    .handler(({ input }) => ({ message: input.message })),

  ping: procedure
    .describe('Answers with the server time; takes no input.')
    .output(z.object({ pong: z.literal(true), time: z.number() }))
    .idempotent()
    .handler(() => ({ pong: true as const, time: Date.now() })),

  add: procedure
    .describe('Adds two numbers.')
    .input(z.object({ a: z.number(), b: z.number() }))
    .output(z.object({ sum: z.number() }))
    .idempotent()
    .example({ input: { a: 1, b: 2 }, output: { sum: 3 } })
    .handler(({ input }) => ({ sum: input.a + input.b })),

  slow: procedure
    .describe('Waits `ms` milliseconds, stopping early when the caller cancels or the deadline passes.')
    .input(z.object({ ms: z.number().int().min(0).max(MAX_SLOW_MS) }))
    .output(z.object({ sleptMs: z.number() }))
    .idempotent()
    .handler(async ({ input, ctx }) => {
      const started = performance.now();
      try {
        await sleep(input.ms, undefined, { signal: ctx.signal });
      } catch (error) {
        if (ctx.signal.aborted) {
          ctx.logger.info({ afterMs: Math.round(performance.now() - started) }, 'slow call stopped early');
          throw ctx.signal.reason;
        }
        throw error;
      }
      return { sleptMs: Math.round(performance.now() - started) };
    }),

  fail: procedure
    .describe('Always fails with the given code; shows how errors reach callers.')
    .input(
      z.object({
        code: z.enum(['NOT_FOUND', 'PERMISSION_DENIED', 'INTERNAL']),
        message: z.string().default('failed on purpose'),
      }),
    )
    .handler(({ input }): never => {
      throw new RpcError(input.code, input.message);
    }),
});

/** The echo router's type, for clients: `createClient<EchoRouter>(url)`. */
export type EchoRouter = typeof echoRouter;
