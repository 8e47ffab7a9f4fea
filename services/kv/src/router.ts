import { procedure, router } from '@volley/router';
import { z } from 'zod';
import { KvStore } from './store.js';

const key = z.string().min(1).max(256);

/** Builds the kv service's router over a store (a fresh one by default). */
export function createKvRouter(store: KvStore = new KvStore()) {
  return router({
    get: procedure
      .describe('Reads a key; `value` is null when it is absent or expired.')
      .input(z.object({ key }))
      .output(z.object({ value: z.string().nullable(), version: z.number().nullable() }))
      .idempotent()
      .handler(({ input }) => {
        const entry = store.get(input.key);
        return { value: entry?.value ?? null, version: entry?.version ?? null };
      }),

    set: procedure
      .describe('Writes a key, optionally expiring after `ttlMs`; returns the new version. Not idempotent.')
      .input(z.object({ key, value: z.string(), ttlMs: z.number().int().positive().optional() }))
      .output(z.object({ version: z.number() }))
      .handler(({ input }) => ({ version: store.set(input.key, input.value, input.ttlMs).version })),

    delete: procedure
      .describe('Removes a key; `deleted` says whether it existed.')
      .input(z.object({ key }))
      .output(z.object({ deleted: z.boolean() }))
      .idempotent()
      .handler(({ input }) => ({ deleted: store.delete(input.key) })),

    list: procedure
      .describe('Lists live keys in order, optionally under a prefix.')
      .input(z.object({ prefix: z.string().optional(), limit: z.number().int().positive().max(10_000).optional() }).optional())
      .output(z.object({ keys: z.array(z.string()) }))
      .idempotent()
      .handler(({ input }) => ({ keys: store.list(input?.prefix, input?.limit ?? 1000) })),
  });
}

/** The kv router's type, for clients: `createClient<KvRouter>(url)`. */
export type KvRouter = ReturnType<typeof createKvRouter>;
