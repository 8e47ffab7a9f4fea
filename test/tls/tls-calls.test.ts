/**
 * Calls over `tls://` (server certificate only): the server-name check that is on by default, and
 * refusals of servers and clients that do not speak TLS with the right certificate. The main
 * client/server behaviours over TLS are the conformance suite's `tls` case.
 */
import { createClient } from '@volley/client';
import { createServer, type Server } from '@volley/server';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProbe, createTestRouter, errorOf, type Probe, Resources, type TestRouter } from '../support/index.js';
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

  beforeEach(async () => {
    probe = createProbe();
    server = open.track(
      createServer({ router: createTestRouter(probe), logger: pino({ level: 'silent' }), closeGraceMs: 0 }),
    );
    const bound = await server.listen({
      tls: { host: '127.0.0.1', port: 0, cert: pki.server.cert, key: pki.server.key },
    });
    port = bound.tls?.port ?? 0;
  });

  afterEach(() => open.closeAll());

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
    const distrustful = open.track(
      createClient<TestRouter>(`tls://127.0.0.1:${port}`, { tls: { ca: pki.otherCa, servername: 'localhost' } }),
    );
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
