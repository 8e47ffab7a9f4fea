import { procedure, router } from '@volley/router';
import { RpcError } from '@volley/wire';
import { z } from 'zod';

/** What the TLS test router's handlers saw, for the tests to inspect. */
export interface TlsObservations {
  /** Times any handler ran. */
  executions: number;
  /** `ctx.signal.reason.code` of each `wait` call that was aborted. */
  aborts: string[];
}

/** A few procedures covering what the TLS tests check: results, errors, abort, who called. */
export function createTlsRouter(seen: TlsObservations) {
  return router({
    add: procedure
      .input(z.object({ a: z.number(), b: z.number() }))
      .handler(({ input }) => {
        seen.executions++;
        return { sum: input.a + input.b };
      }),
    refuse: procedure.handler(() => {
      seen.executions++;
      throw new RpcError('PERMISSION_DENIED', 'not for you', { data: { need: 'admin' } });
    }),
    wait: procedure.input(z.object({ ms: z.number() })).handler(({ input, ctx }) => {
      seen.executions++;
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => resolve('finished'), input.ms);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          seen.aborts.push((ctx.signal.reason as RpcError).code);
          reject(ctx.signal.reason);
        });
      });
    }),
    whoami: procedure.handler(({ ctx }) => {
      seen.executions++;
      return { transport: ctx.transport, peerTransport: ctx.peer.transport, identity: ctx.peer.identity ?? null };
    }),
  });
}

/** The TLS test router's type, for typed clients. */
export type TlsRouter = ReturnType<typeof createTlsRouter>;

/** Fresh, empty observations. */
export function createTlsObservations(): TlsObservations {
  return { executions: 0, aborts: [] };
}
