import { procedure, router } from '@volley/router';
import { echoRouter } from '@volley/service-echo';
import { z } from 'zod';

/**
 * What the bench's Volley child serves: the echo service, plus `addOnce`, the same sum as `add`
 * without `.idempotent()`. Over UDP a non-idempotent call is executed at most once, so the server
 * keeps its reply for retransmissions; the two side by side show what that bookkeeping costs.
 */
export const benchRouter = router({
  ...echoRouter.record,
  addOnce: procedure
    .describe('Adds two numbers; declared non-idempotent, so UDP replies are kept for retransmissions.')
    .input(z.object({ a: z.number(), b: z.number() }))
    .output(z.object({ sum: z.number() }))
    .handler(({ input }) => ({ sum: input.a + input.b })),
});

/** The bench router's type, for the typed bench client. */
export type BenchRouter = typeof benchRouter;
