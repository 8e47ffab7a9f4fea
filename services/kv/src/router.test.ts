import { createClient, type VolleyClient } from '@volley/client';
import { createServer, type Server } from '@volley/server';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKvRouter, type KvRouter } from './router.js';
import { KvStore } from './store.js';

describe('kv service over TCP', () => {
  let server: Server;
  let client: VolleyClient<KvRouter>;
  let now = 0;

  beforeEach(async () => {
    now = 0;
    server = createServer({ router: createKvRouter(new KvStore(() => now)), logger: pino({ level: 'silent' }) });
    const bound = await server.listen({ tcp: { host: '127.0.0.1', port: 0 } });
    client = createClient<KvRouter>(`tcp://127.0.0.1:${bound.tcp?.port}`);
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('sets, gets, lists and deletes', async () => {
    const { version } = await client.set({ key: 'user/1', value: 'ada' });
    expect(await client.get({ key: 'user/1' })).toEqual({ value: 'ada', version });
    expect(await client.list({ prefix: 'user/' })).toEqual({ keys: ['user/1'] });
    expect(await client.delete({ key: 'user/1' })).toEqual({ deleted: true });
    expect(await client.get({ key: 'user/1' })).toEqual({ value: null, version: null });
  });

  it('returns a new version on every set: set is not idempotent', async () => {
    const first = await client.set({ key: 'k', value: 'v' });
    const second = await client.set({ key: 'k', value: 'v' });
    expect(second.version).toBe(first.version + 1);
  });

  it('forgets a key once its TTL has passed', async () => {
    await client.set({ key: 'session', value: 's', ttlMs: 1000 });
    now = 999;
    expect((await client.get({ key: 'session' })).value).toBe('s');
    now = 1000;
    expect((await client.get({ key: 'session' })).value).toBeNull();
  });

  it('rejects an empty key and a non-positive TTL with BAD_REQUEST', async () => {
    await expect(client.get({ key: '' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(client.set({ key: 'k', value: 'v', ttlMs: 0 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      data: { issues: [{ path: ['ttlMs'] }] },
    });
  });
});
