/**
 * Calls over `tls://` (server certificate only): the main client/server behaviours, and the
 * server-name check that is on by default.
 */
import { createClient, type VolleyClient } from '@volley/client';
import { createServer, type Server } from '@volley/server';
import { createProbe, createTestRouter, errorOf, type Probe, Resources, type TestRouter, waitFor } from '../support/index.js';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from './test-pki.js';

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
  let probe: Probe;
  let port: number;
  let client: VolleyClient<TestRouter>;

  beforeEach(async () => {
    probe = createProbe();
    server = open.track(createServer({ router: createTestRouter(probe), logger: pino({ level: 'silent' }), closeGraceMs: 0 }));
    const bound = await server.listen({ tls: { host: '127.0.0.1', port: 0, cert: pki.server.cert, key: pki.server.key } });
    port = bound.tls?.port ?? 0;
    client = open.track(createClient<TestRouter>(`tls://127.0.0.1:${port}`, { tls: { ca: pki.ca, servername: 'localhost' } }));
  });

  afterEach(() => open.closeAll());

  it('calls a procedure and the handler sees the tls transport', async () => {
    expect(await client.probe.add({ a: 2, b: 40 })).toEqual({ sum: 42 });
    expect(await client.probe.whoami()).toEqual({ transport: 'tls', peerTransport: 'tls', signedBy: null, identity: null });
  });

  it('matches 200 concurrent calls to their replies over one connection', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => client.probe.add({ a: i, b: 1000 })));
    expect(results.map((r) => r.sum)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1000));
    expect(server.stats.calls).toBe(200);
  });

  it('passes a handler RpcError through with code, message and data', async () => {
    expect(await errorOf(client.probe.refuse())).toMatchObject({ code: 'PERMISSION_DENIED', message: 'not for you', data: { need: 'admin' }, local: false });
  });

  it('answers invalid input with BAD_REQUEST, not executed', async () => {
    expect(await errorOf(client.probe.add({ a: 'one' as unknown as number, b: 2 }))).toMatchObject({ code: 'BAD_REQUEST', notExecuted: true });
    expect(probe.executions).toBe(0);
  });

  it('cancels: the caller gets CANCELLED and the handler signal fires', async () => {
    const controller = new AbortController();
    const call = errorOf(client.probe.wait({ ms: 10_000 }, { signal: controller.signal }));
    await waitFor(() => server.inFlight === 1, { what: 'the call to reach the server' });
    controller.abort();
    expect(await call).toMatchObject({ code: 'CANCELLED', local: true });
    await waitFor(() => probe.aborts.length === 1, { what: 'the handler signal' });
    expect(probe.aborts).toEqual([{ procedure: 'probe.wait', code: 'CANCELLED' }]);
  });

  it('times out with DEADLINE_EXCEEDED and fires the handler signal', async () => {
    expect(await errorOf(client.probe.wait({ ms: 10_000 }, { timeoutMs: 100 }))).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    await waitFor(() => probe.aborts.length === 1, { what: 'the handler signal' });
    expect(probe.aborts).toEqual([{ procedure: 'probe.wait', code: 'DEADLINE_EXCEEDED' }]);
  });

  it('checks the server name against the URL host by default: 127.0.0.1 is not in a localhost certificate', async () => {
    const strict = open.track(createClient<TestRouter>(`tls://127.0.0.1:${port}`, { tls: { ca: pki.ca } }));
    const error = await errorOf(strict.probe.add({ a: 1, b: 1 }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', local: true, notExecuted: true });
    expect((error as Error).message).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(probe.executions).toBe(0);
  });

  it('accepts the certificate when the URL host is the name it carries', async () => {
    const byName = open.track(createClient<TestRouter>(`tls://localhost:${port}`, { tls: { ca: pki.ca } }));
    expect(await byName.probe.add({ a: 1, b: 2 })).toEqual({ sum: 3 });
  });

  it('refuses a server certificate from a CA the client does not trust', async () => {
    const distrustful = open.track(createClient<TestRouter>(`tls://127.0.0.1:${port}`, { tls: { ca: pki.otherCa, servername: 'localhost' } }));
    const error = await errorOf(distrustful.probe.add({ a: 1, b: 1 }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', local: true, notExecuted: true });
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(probe.executions).toBe(0);
  });

  it('refuses a plain TCP client on the TLS port without running anything', async () => {
    const plain = open.track(createClient<TestRouter>(`tcp://127.0.0.1:${port}`, { timeoutMs: 2000 }));
    const error = await errorOf(plain.probe.add({ a: 1, b: 1 }));
    expect(error).toMatchObject({ code: expect.stringMatching(/^(UNAVAILABLE|DEADLINE_EXCEEDED)$/) });
    expect(probe.executions).toBe(0);
  });
});
