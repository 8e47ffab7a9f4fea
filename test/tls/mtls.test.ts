/**
 * Mutual TLS: the server asks for a client certificate, refuses clients without one that verifies
 * against its CA (logging why and from where), and shows handlers who a verified client is.
 */
import { X509Certificate } from 'node:crypto';
import { createClient } from '@volley/client';
import { createServer, type Server } from '@volley/server';
import type { TlsClientOptions, TlsTransportOptions } from '@volley/transport';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogCapture,
  createProbe,
  createTestRouter,
  errorOf,
  type LogCapture,
  type Probe,
  Resources,
  type TestRouter,
} from '../support/index.js';
import { createTestPki, type TestPki } from './test-pki.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(async () => {
  await pki?.remove();
});

describe('mTLS', () => {
  const open = new Resources();
  let probe: Probe;
  let logs: LogCapture;
  let server: Server;

  afterEach(() => open.closeAll());

  /** A server asking for client certificates signed by the test CA; returns its URL. */
  async function startServer(tls: Partial<TlsTransportOptions> = {}): Promise<string> {
    probe = createProbe();
    logs = createLogCapture('debug');
    server = open.track(createServer({ router: createTestRouter(probe), logger: logs.logger, closeGraceMs: 0 }));
    const bound = await server.listen({
      tls: {
        host: '127.0.0.1',
        port: 0,
        cert: pki.server.cert,
        key: pki.server.key,
        ca: pki.ca,
        requestCert: true,
        ...tls,
      },
    });
    return `tls://127.0.0.1:${bound.tls?.port}`;
  }

  function clientOf(url: string, credentials: Pick<TlsClientOptions, 'cert' | 'key'> = {}) {
    return open.track(
      createClient<TestRouter>(url, { tls: { ca: pki.ca, servername: 'localhost', ...credentials }, timeoutMs: 5000 }),
    );
  }

  /** The server's log lines about refused TLS clients. */
  function refusals(): { reason: string; peer: unknown }[] {
    return logs
      .withMessage('transport error')
      .map((line) => ({ reason: (line.err as { message: string }).message, peer: line.peer }))
      .filter((entry) => entry.reason.startsWith('TLS client refused'));
  }

  it('shows the handler the verified client identity and the tls transport', async () => {
    const url = await startServer();
    const alice = clientOf(url, pki.alice);
    expect(await alice.probe.whoami()).toEqual({
      transport: 'tls',
      peerTransport: 'tls',
      signedBy: null,
      identity: {
        commonName: 'alice',
        subjectAltName: 'URI:spiffe://volley.test/alice',
        issuerCommonName: 'Volley Test CA',
        fingerprint256: new X509Certificate(pki.alice.cert).fingerprint256,
        serialNumber: new X509Certificate(pki.alice.cert).serialNumber,
      },
    });
    expect(refusals()).toEqual([]);
  });

  it('refuses a client without a certificate: UNAVAILABLE, not executed, and logged with its address', async () => {
    const url = await startServer();
    const anonymous = clientOf(url);
    const error = await errorOf(anonymous.probe.add({ a: 1, b: 2 }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', local: true, notExecuted: true });
    expect(probe.executions).toBe(0);
    expect(server.stats.calls).toBe(0);
    expect(refusals()).toEqual([
      {
        reason: 'TLS client refused: no client certificate',
        peer: { transport: 'tls', address: '127.0.0.1', port: expect.any(Number) },
      },
    ]);
  });

  it('refuses a client whose certificate comes from another CA', async () => {
    const url = await startServer();
    const mallory = clientOf(url, pki.mallory);
    const error = await errorOf(mallory.probe.whoami());
    expect(error).toMatchObject({ code: 'UNAVAILABLE', local: true, notExecuted: true });
    expect(probe.executions).toBe(0);
    expect(refusals()).toEqual([
      {
        reason: 'TLS client refused: certificate did not verify (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
        peer: expect.objectContaining({ address: '127.0.0.1' }),
      },
    ]);
  });

  it('refuses every attempt of a refused client, and keeps serving verified ones meanwhile', async () => {
    const url = await startServer();
    const anonymous = clientOf(url);
    const alice = clientOf(url, pki.alice);
    const [first, served, second] = await Promise.all([
      errorOf(anonymous.probe.add({ a: 1, b: 1 })),
      alice.probe.add({ a: 2, b: 2 }),
      errorOf(anonymous.probe.add({ a: 3, b: 3 })),
    ]);
    expect(first).toMatchObject({ code: 'UNAVAILABLE', notExecuted: true });
    expect(second).toMatchObject({ code: 'UNAVAILABLE', notExecuted: true });
    expect(served).toEqual({ sum: 4 });
    expect(probe.executions).toBe(1);
  });

  it('with rejectUnauthorized false serves every client but shows only a verified identity', async () => {
    const url = await startServer({ rejectUnauthorized: false });
    const anonymous = await clientOf(url).probe.whoami();
    const mallory = await clientOf(url, pki.mallory).probe.whoami();
    const alice = await clientOf(url, pki.alice).probe.whoami();
    expect(anonymous.identity).toBeNull();
    expect(mallory.identity).toBeNull();
    expect(alice.identity?.commonName).toBe('alice');
    expect(refusals()).toEqual([]);
  });

  it('without requestCert asks for no certificate, so no identity is shown', async () => {
    const url = await startServer({ requestCert: false });
    expect((await clientOf(url, pki.alice).probe.whoami()).identity).toBeNull();
  });
});
