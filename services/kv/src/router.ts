import { procedure, router } from '@volley/router';
import { z } from 'zod';
import { type RequireTokenOptions, requireToken } from './auth.js';
import { KvStore } from './store.js';

const key = z.string().min(1).max(256);

/** Options for {@link createKvRouter}. */
export interface KvRouterOptions {
  /**
   * Token authorisation. Without it every procedure is open (the demo and `npm start`). With it,
   * `get` and `list` need a token with the `read` scope, `set` and `delete` one with `write`.
   */
  auth?: Omit<RequireTokenOptions, 'scope'>;
}

/**
 * Builds the kv service's router over a store (a fresh one by default).
 * @example
 * const tokens = new Map([['s3cret', { subject: 'ci-bot', scopes: ['read', 'write'] }]]);
 * const kv = createKvRouter(new KvStore(), { auth: { tokens } });
 */
export function createKvRouter(store: KvStore = new KvStore(), options: KvRouterOptions = {}) {
  const reader = guarded('read', options.auth);
  const writer = guarded('write', options.auth);
  return router({
    get: reader
      .describe('Reads a key; `value` is null when it is absent or expired.')
      .input(z.object({ key }))
      .output(z.object({ value: z.string().nullable(), version: z.number().nullable() }))
      .idempotent()
      .handler(({ input }) => {
        const entry = store.get(input.key);
        return { value: entry?.value ?? null, version: entry?.version ?? null };
      }),

    set: writer
      .describe('Writes a key, optionally expiring after `ttlMs`; returns the new version. Not idempotent.')
      .input(z.object({ key, value: z.string(), ttlMs: z.number().int().positive().optional() }))
      .output(z.object({ version: z.number() }))
      .example({
        title: 'expires after a minute',
        input: { key: 'greeting', value: 'hello', ttlMs: 60_000 },
        output: { version: 1 },
      })
      .handler(({ input }) => ({ version: store.set(input.key, input.value, input.ttlMs).version })),

    delete: writer
      .describe('Removes a key; `deleted` says whether it existed.')
      .input(z.object({ key }))
      .output(z.object({ deleted: z.boolean() }))
      .idempotent()
      .handler(({ input }) => ({ deleted: store.delete(input.key) })),

    list: reader
      .describe('Lists live keys in order, optionally under a prefix.')
      .input(
        z
          .object({ prefix: z.string().optional(), limit: z.number().int().positive().max(10_000).optional() })
          .optional(),
      )
      .output(z.object({ keys: z.array(z.string()) }))
      .idempotent()
      .handler(({ input }) => ({ keys: store.list(input?.prefix, input?.limit ?? 1000) })),
  });
}

/**
 * The base builder for procedures that need `scope`. Without auth it is the bare `procedure`, so
 * an open kv router runs with no middleware at all (dispatch skips the chain). The context the
 * middleware adds (`principal`) is typed away: kv handlers do not read it, and both branches must
 * give the router one type.
 */
function guarded(scope: string, auth: KvRouterOptions['auth']): typeof procedure {
  return auth === undefined ? procedure : procedure.use(requireToken({ ...auth, scope }));
}

/** The kv router's type, for clients: `createClient<KvRouter>(url)`. */
export type KvRouter = ReturnType<typeof createKvRouter>;
