import { createClient, type VolleyClient } from '@volley/client';
import { type BaseContext, middleware, procedure, router } from '@volley/router';
import { compileRouter } from '@volley/router/internal';
import { createServer, type Server } from '@volley/server';
import { type Logger, pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { requireToken, type TokenGrant } from './auth.js';
import { createKvRouter, type KvRouter } from './router.js';
import { KvStore } from './store.js';

const TOKENS = new Map<string, TokenGrant>([
  ['tok-admin-9f3b', { subject: 'admin', scopes: ['read', 'write'] }],
  ['tok-reader-71c2', { subject: 'dashboard', scopes: ['read'] }],
]);

/** An info-level logger that keeps what it writes: raw lines, and parsed. */
interface CapturedLogs {
  readonly logger: Logger;
  readonly raw: string[];
  readonly lines: Record<string, unknown>[];
}

function captureLogs(): CapturedLogs {
  const raw: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void raw.push(line) });
  return {
    logger,
    raw,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
  };
}

describe.each(['udp', 'tcp'] as const)('kv with token auth over %s', (transport) => {
  let server: Server;
  let store: KvStore;
  let logs: CapturedLogs;
  let url: string;
  const clients: VolleyClient<KvRouter>[] = [];

  async function start(): Promise<void> {
    store = new KvStore();
    logs = captureLogs();
    server = createServer({ router: createKvRouter(store, { auth: { tokens: TOKENS } }), logger: logs.logger });
    const bound = await server.listen({ [transport]: { host: '127.0.0.1', port: 0 } });
    url = `${transport}://127.0.0.1:${bound[transport]?.port}`;
  }

  function connect(auth?: string): VolleyClient<KvRouter> {
    const client = createClient<KvRouter>(url, {
      ...(auth !== undefined && { auth }),
      ...(transport === 'udp' && { tcpFallback: false }),
    });
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  it('lets a token with read and write scopes set, get, list and delete', async () => {
    await start();
    const admin = connect('tok-admin-9f3b');
    const { version } = await admin.set({ key: 'user/1', value: 'ada' });
    expect(await admin.get({ key: 'user/1' })).toEqual({ value: 'ada', version });
    expect(await admin.list({ prefix: 'user/' })).toEqual({ keys: ['user/1'] });
    expect(await admin.delete({ key: 'user/1' })).toEqual({ deleted: true });
  });

  it('refuses a call without a token with UNAUTHENTICATED, not executed', async () => {
    await start();
    const anonymous = connect();
    await expect(anonymous.set({ key: 'k', value: 'v' })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      notExecuted: true,
      local: false,
    });
    await expect(anonymous.get({ key: 'k' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED', notExecuted: true });
    expect(store.list()).toEqual([]);
  });

  it('refuses an unknown token with UNAUTHENTICATED and never logs it', async () => {
    await start();
    await expect(connect('tok-guessed-0000').set({ key: 'k', value: 'v' })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      notExecuted: true,
    });
    expect(store.list()).toEqual([]);
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ level: 30, procedure: 'set', reason: 'unknown token' }),
    );
    expect(logs.raw.join('')).not.toContain('tok-guessed-0000');
  });

  it('lets a read-only token read but refuses its writes with PERMISSION_DENIED, not executed', async () => {
    await start();
    store.set('k', 'before');
    const reader = connect('tok-reader-71c2');
    expect((await reader.get({ key: 'k' })).value).toBe('before');
    await expect(reader.set({ key: 'k', value: 'after' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      notExecuted: true,
      data: { scope: 'write' },
    });
    await expect(reader.delete({ key: 'k' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED', notExecuted: true });
    expect(store.get('k')?.value).toBe('before');
  });

  it('logs a refused write with the subject and the missing scope, never the token', async () => {
    await start();
    await expect(connect('tok-reader-71c2').set({ key: 'k', value: 'v' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ level: 30, procedure: 'set', subject: 'dashboard', scope: 'write' }),
    );
    expect(logs.raw.join('')).not.toContain('tok-reader-71c2');
  });

  it('answers a malformed call without a token with BAD_REQUEST: input is validated before credentials', async () => {
    await start();
    await expect(connect().get({ key: '' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('uses the per-call token over the client-wide one', async () => {
    await start();
    const reader = connect('tok-reader-71c2');
    const { version } = await reader.set({ key: 'k', value: 'v' }, { auth: 'tok-admin-9f3b' });
    expect(await reader.get({ key: 'k' })).toEqual({ value: 'v', version });
  });
});

describe('requireToken', () => {
  let server: Server | undefined;
  let client: VolleyClient<any> | undefined;

  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  it('adds no middleware to a kv router built without auth', () => {
    const compiled = compileRouter(createKvRouter());
    expect(['get', 'set', 'delete', 'list'].map((name) => compiled.get(name)?.middlewares.length)).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('reads the credential from wherever getCredentials says, such as an identity set by earlier middleware', async () => {
    // Stands in for a transport identity (an mTLS certificate's subject): an earlier middleware
    // puts it in ctx, and requireToken maps it to a principal like any token.
    const fromCertificate = middleware<BaseContext>()(({ ctx, next }) =>
      next({ identity: ctx.peer.address === '127.0.0.1' ? 'CN=ops' : undefined }),
    );
    const grants = new Map<string, TokenGrant>([['CN=ops', { subject: 'ops', scopes: ['admin'] }]]);
    const whoami = procedure
      .use(fromCertificate)
      .use(
        requireToken({
          tokens: grants,
          scope: 'admin',
          getCredentials: (ctx) => (ctx as BaseContext & { identity?: string }).identity,
        }),
      )
      .handler(({ ctx }) => ({ subject: ctx.principal.subject, scopes: [...ctx.principal.scopes] }));
    server = createServer({ router: router({ whoami }), logger: pino({ level: 'silent' }) });
    const bound = await server.listen({ tcp: { host: '127.0.0.1', port: 0 } });
    client = createClient<any>(`tcp://127.0.0.1:${bound.tcp?.port}`);
    expect(await client.call('whoami')).toEqual({ subject: 'ops', scopes: ['admin'] });
  });
});
