/**
 * Issue 13, item 7: "this server requires signatures" holds on every transport and route that
 * reaches the server, as an attacker would test it: through the TCP door beside the UDP port, on
 * the signing client's own TCP route through an on-path relay that rewrites bytes, by replaying a
 * captured datagram after the reply cache forgot it, and by replaying one to another server that
 * shares the key.
 */
import { createClient } from '@volley/client';
import { createCodec, signEnvelope, signingAudience } from '@volley/wire';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createProbe,
  createTestRouter,
  decodeResponse,
  encodeRequest,
  errorOf,
  openRawUdp,
  Resources,
  startTcpRewriteRelay,
  startTestServer,
  type TestRouter,
  type TestServerOptions,
  waitFor,
} from '../support/index.js';
import { createTestPki, type TestPki } from '../tls/test-pki.js';

const open = new Resources();
afterEach(() => open.closeAll());

const codec = createCodec();
const KEY = { keyId: 'k1', key: 'first secret, at least 32 bytes long!!' };
const LARGE = 'A'.repeat(2_000);

async function serveSigned(server: TestServerOptions['server'] = {}) {
  const probe = createProbe();
  // The README's one-port setup: UDP with signing, TCP beside it on the same port number.
  const app = open.track(
    await startTestServer({
      router: createTestRouter(probe),
      udp: { signing: { keys: { [KEY.keyId]: KEY.key } } },
      server,
    }),
  );
  return { app, probe };
}

describe('a signing server has no unsigned door', () => {
  it('refuses an unsigned tcp:// client on the TCP port beside the UDP one', async () => {
    const { app } = await serveSigned();
    const client = open.track(createClient<TestRouter>(app.tcpUrl));

    expect(await errorOf(client.kv.set({ key: 'k', value: 'v' }))).toMatchObject({
      code: 'UNAUTHENTICATED',
      notExecuted: true,
    });
    expect(app.server.stats.calls).toBe(0);
  });

  it('refuses an unsigned udp:// client whose large request takes the TCP route', async () => {
    const { app } = await serveSigned();
    const client = open.track(createClient<TestRouter>(app.udpUrl));

    expect(await errorOf(client.kv.set({ key: 'k', value: LARGE }))).toMatchObject({
      code: 'UNAUTHENTICATED',
      notExecuted: true,
    });
    expect(client.stats.tcpFallbacks).toBe(1);
    expect(app.server.stats.calls).toBe(0);
  });

  it('serves a signing client on UDP and on its TCP route, and tells handlers who signed', async () => {
    const { app, probe } = await serveSigned();
    const client = open.track(createClient<TestRouter>(app.udpUrl, { signing: KEY }));

    await expect(client.kv.set({ key: 'k', value: LARGE })).resolves.toMatchObject({ version: 1 });
    await expect(client.kv.get({ key: 'k' })).resolves.toMatchObject({ value: LARGE });
    await expect(client.probe.whoami()).resolves.toEqual({
      transport: 'udp',
      peerTransport: 'udp',
      signedBy: 'k1',
      identity: null,
    });
    expect(client.stats.tcpFallbacks).toBe(2);
    expect(probe.bigExecutions).toBe(0);
  });

  it('signs a tcp:// client’s frames too', async () => {
    const { app } = await serveSigned();
    const client = open.track(
      createClient<TestRouter>(app.tcpUrl, {
        signing: { ...KEY, audience: signingAudience('127.0.0.1', app.udpPort) },
      }),
    );

    await expect(client.probe.whoami()).resolves.toEqual({
      transport: 'tcp',
      peerTransport: 'tcp',
      signedBy: 'k1',
      identity: null,
    });
  });
});

describe('an on-path relay that rewrites the signing client’s TCP route', () => {
  it('cannot change a large request: the server refuses it and runs nothing', async () => {
    const { app } = await serveSigned();
    const relay = open.track(
      await startTcpRewriteRelay({
        serverPort: app.tcpPort,
        rewrite: { direction: 'toServer', from: 'AAAA', to: 'BBBB' },
      }),
    );
    const client = open.track(createClient<TestRouter>(app.udpUrl, { signing: KEY, tcpFallback: relay.url }));

    expect(await errorOf(client.kv.set({ key: 'k', value: LARGE }))).toMatchObject({
      code: 'UNAUTHENTICATED',
      notExecuted: true,
    });
    expect(relay.rewrites.toServer).toBeGreaterThan(0);
    expect(app.server.stats.calls).toBe(0);
    expect(app.server.stats.signatureRejected).toBe(1);
  });

  it('cannot forge a truncated reply fetched over TCP: the client never accepts the rewritten bytes', async () => {
    const { app, probe } = await serveSigned();
    const relay = open.track(
      await startTcpRewriteRelay({
        serverPort: app.tcpPort,
        rewrite: { direction: 'toClient', from: 'xxxx', to: 'yyyy' },
      }),
    );
    const client = open.track(createClient<TestRouter>(app.udpUrl, { signing: KEY, tcpFallback: relay.url }));

    const error = await errorOf(client.probe.big({ chars: 5_000 }, { timeoutMs: 1_000 }));
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(relay.rewrites.toClient).toBeGreaterThan(0);
    expect(client.stats.truncatedReplies).toBe(1);
    expect(probe.bigExecutions).toBe(1);
  });
});

describe('a captured signed datagram', () => {
  it('does not run again once the reply cache has forgotten its call', async () => {
    const { app, probe } = await serveSigned({ replyCache: { maxEntries: 1 } });
    const raw = open.track(await openRawUdp(app.udpPort));
    const scope = { ...KEY, audience: signingAudience('127.0.0.1', app.udpPort) };
    const meta = (client: number) => ({ deadlineMs: 5_000, attempt: 1, clientId: Buffer.alloc(8, client) });
    const captured = signEnvelope(codec, encodeRequest(1, 'probe.big', { chars: 10 }, meta(1)), scope);
    await raw.send(captured);
    await raw.received.next();
    // Another call takes the cache's one slot: the first call's reply is evicted.
    await raw.send(signEnvelope(codec, encodeRequest(2, 'probe.big', { chars: 10 }, meta(2)), scope));
    await raw.received.next();
    expect(app.server.stats.replyCacheEvictions).toBe(1);

    await raw.send(captured);
    await waitFor(() => app.server.stats.signatureReplays === 1);
    expect(probe.bigExecutions).toBe(2);
  });

  it('does not run on another server that shares the key', async () => {
    const first = await serveSigned();
    const second = await serveSigned();
    const raw = open.track(await openRawUdp(second.app.udpPort));
    const forFirst = signEnvelope(codec, encodeRequest(1, 'probe.big', { chars: 10 }, { deadlineMs: 5_000 }), {
      ...KEY,
      audience: signingAudience('127.0.0.1', first.app.udpPort),
    });

    await raw.send(forFirst);
    const reply = decodeResponse(await raw.received.next());

    expect(reply.error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(reply.error?.message).toMatch(/Signed for "127\.0\.0\.1:\d+", which is not this server/);
    expect(second.probe.bigExecutions).toBe(0);
  });
});

describe('TLS on a signing server', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki();
  });
  afterAll(() => pki?.remove());

  /** The signing server also listening on TLS (asking for client certificates when `requestCert`). */
  async function tlsBeside(requestCert: boolean): Promise<string> {
    const { app } = await serveSigned();
    const bound = await app.server.listen({
      tls: { host: '127.0.0.1', port: 0, cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert },
    });
    return `tls://127.0.0.1:${bound.tls?.port}`;
  }

  it('lets a client whose certificate verified (mTLS) call unsigned: the certificate authenticates it', async () => {
    const url = await tlsBeside(true);
    const client = open.track(
      createClient<TestRouter>(url, {
        tls: { ca: pki.ca, cert: pki.alice.cert, key: pki.alice.key, servername: 'localhost' },
      }),
    );

    await expect(client.probe.whoami()).resolves.toEqual({
      transport: 'tls',
      peerTransport: 'tls',
      signedBy: null,
      identity: expect.objectContaining({ commonName: 'alice' }),
    });
  });

  it('refuses an unsigned client on TLS without client certificates: TLS alone does not say who is calling', async () => {
    const url = await tlsBeside(false);
    const client = open.track(createClient<TestRouter>(url, { tls: { ca: pki.ca, servername: 'localhost' } }));

    expect(await errorOf(client.probe.whoami())).toMatchObject({ code: 'UNAUTHENTICATED', notExecuted: true });
  });
});
