/**
 * Calls over `tls://` (server certificate only): the main client/server behaviours, and the
 * server-name check that is on by default.
 */
import { createClient, type VolleyClient } from '@volley/client';
import { createServer, type Server } from '@volley/server';
import { errorOf, Resources, waitFor } from '../support/index.js';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from './test-pki.js';
import { createTlsObservations, createTlsRouter, type TlsObservations, type TlsRouter } from './tls-router.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(async () => {
  await pki?.remove();
});

describe('calls over tls://', () => {
  const open = new Resources();
  let server: Server;
  let seen: TlsObservations;
  let port: number;
  let client: VolleyClient<TlsRouter>;

  beforeEach(async () => {
    seen = createTlsObservations();
    server = open.track(createServer({ router: createTlsRouter(seen), logger: pino({ level: 'silent' }), closeGraceMs: 0 }));
    const bound = await server.listen({ tls: { host: '127.0.0.1', port: 0, cert: pki.server.cert, key: pki.server.key } });
    port = bound.tls?.port ?? 0;
    client = open.track(createClient<TlsRouter>(`tls://127.0.0.1:${port}`, { tls: { ca: pki.ca, servername: 'localhost' } }));
  });

  afterEach(() => open.closeAll());

  it('calls a procedure and the handler sees the tls transport', async () => {
    expect(await client.add({ a: 2, b: 40 })).toEqual({ sum: 42 });
    expect(await client.whoami()).toEqual({ transport: 'tls', peerTransport: 'tls', identity: null });
  });

  it('matches 200 concurrent calls to their replies over one connection', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => client.add({ a: i, b: 1000 })));
    expect(results.map((r) => r.sum)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1000));
    expect(server.stats.calls).toBe(200);
  });

  it('passes a handler RpcError through with code, message and data', async () => {
    expect(await errorOf(client.refuse())).toMatchObject({ code: 'PERMISSION_DENIED', message: 'not for you', data: { need: 'admin' }, local: false });
  });

  it('answers invalid input with BAD_REQUEST, not executed', async () => {
    expect(await errorOf(client.add({ a: 'one' as unknown as number, b: 2 }))).toMatchObject({ code: 'BAD_REQUEST', notExecuted: true });
    expect(seen.executions).toBe(0);
  });

  it('cancels: the caller gets CANCELLED and the handler signal fires', async () => {
    const controller = new AbortController();
    const call = errorOf(client.wait({ ms: 10_000 }, { signal: controller.signal }));
    await waitFor(() => server.inFlight === 1, { what: 'the call to reach the server' });
    controller.abort();
    expect(await call).toMatchObject({ code: 'CANCELLED', local: true });
    await waitFor(() => seen.aborts.length === 1, { what: 'the handler signal' });
    expect(seen.aborts).toEqual(['CANCELLED']);
  });

  it('times out with DEADLINE_EXCEEDED and fires the handler signal', async () => {
    expect(await errorOf(client.wait({ ms: 10_000 }, { timeoutMs: 100 }))).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    await waitFor(() => seen.aborts.length === 1, { what: 'the handler signal' });
    expect(seen.aborts).toEqual(['DEADLINE_EXCEEDED']);
  });

  it('checks the server name against the URL host by default: 127.0.0.1 is not in a localhost certificate', async () => {
    const strict = open.track(createClient<TlsRouter>(`tls://127.0.0.1:${port}`, { tls: { ca: pki.ca } }));
    const error = await errorOf(strict.add({ a: 1, b: 1 }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', local: true, notExecuted: true });
    expect((error as Error).message).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(seen.executions).toBe(0);
  });

  it('accepts the certificate when the URL host is the name it carries', async () => {
    const byName = open.track(createClient<TlsRouter>(`tls://localhost:${port}`, { tls: { ca: pki.ca } }));
    expect(await byName.add({ a: 1, b: 2 })).toEqual({ sum: 3 });
  });

  it('refuses a server certificate from a CA the client does not trust', async () => {
    const distrustful = open.track(createClient<TlsRouter>(`tls://127.0.0.1:${port}`, { tls: { ca: pki.otherCa, servername: 'localhost' } }));
    const error = await errorOf(distrustful.add({ a: 1, b: 1 }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', local: true, notExecuted: true });
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(seen.executions).toBe(0);
  });

  it('refuses a plain TCP client on the TLS port without running anything', async () => {
    const plain = open.track(createClient<TlsRouter>(`tcp://127.0.0.1:${port}`, { timeoutMs: 2000 }));
    const error = await errorOf(plain.add({ a: 1, b: 1 }));
    expect(error).toMatchObject({ code: expect.stringMatching(/^(UNAVAILABLE|DEADLINE_EXCEEDED)$/) });
    expect(seen.executions).toBe(0);
  });
});
