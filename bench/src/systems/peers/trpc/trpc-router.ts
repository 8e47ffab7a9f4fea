import { initTRPC } from '@trpc/server';
import { z } from 'zod';

/**
 * The tRPC peer's router, shared by server (the value) and client (only its type, `AppRouter`),
 * written as tRPC v11 users write one: `initTRPC`, procedures with zod `.input()` and `.output()`.
 *
 * `add` is a query (GET, input in the URL); `echo` is a mutation because mutations are POSTs with
 * the input in the body — as a query, the 4 KiB message (and the payload sweep's larger ones)
 * would be URL-encoded into the request line, which no user would do.
 */
const t = initTRPC.create();

export const appRouter = t.router({
  add: t.procedure
    .input(z.object({ a: z.number(), b: z.number() }))
    .output(z.object({ sum: z.number() }))
    .query(({ input }) => ({ sum: input.a + input.b })),
  echo: t.procedure
    .input(z.object({ message: z.string() }))
    .output(z.object({ message: z.string() }))
    .mutation(({ input }) => ({ message: input.message })),
});

export type AppRouter = typeof appRouter;
