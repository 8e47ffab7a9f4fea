/**
 * Issue 4, item 6: signed datagrams. With signing on, a UDP server runs only requests carrying a
 * valid HMAC under a key it knows, within the allowed clock skew; replies are signed too.
 */
import { createClient } from '@volley/client';
import { createServer, type Server } from '@volley/server';
import { type AppRouter, createAppRouter } from '@volley/service-app';
import { createCodec, KIND, signEnvelope, signingAudience } from '@volley/wire';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest, openRawUdp, Resources, waitFor } from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());
const codec = createCodec();
const KEY_1 = { keyId: 'k1', key: 'first secret, at least 32 bytes long!!' };
const KEY_2 = { keyId: 'k2', key: 'second secret, for the rotation period' };

async function serve(keys: Record<string, string>): Promise<{ server: Server; port: number }> {
  const server = createServer({ router: createAppRouter(), logger: pino({ level: 'silent' }) });
  open.track({ close: () => server.close({ graceMs: 0 }) });
  const bound = await server.listen({ udp: { host: '127.0.0.1', port: 0, signing: { keys } } });
  return { server, port: bound.udp?.port ?? 0 };
}

describe('signed datagrams', () => {
  it('serves a client that signs with a known key, replies signed', async () => {
    const { port } = await serve({ [KEY_1.keyId]: KEY_1.key });
    const client = open.track(
      createClient<AppRouter>(`udp://127.0.0.1:${port}`, { signing: KEY_1, tcpFallback: false }),
    );

    await expect(client.echo.add({ a: 20, b: 22 })).resolves.toEqual({ sum: 42 });
    await expect(client.kv.set({ key: 'k', value: 'v' })).resolves.toMatchObject({ version: 1 });
  });

  it('accepts both keys while they rotate', async () => {
    const { port } = await serve({ [KEY_1.keyId]: KEY_1.key, [KEY_2.keyId]: KEY_2.key });
    const old = open.track(createClient<AppRouter>(`udp://127.0.0.1:${port}`, { signing: KEY_1, tcpFallback: false }));
    const fresh = open.track(
      createClient<AppRouter>(`udp://127.0.0.1:${port}`, { signing: KEY_2, tcpFallback: false }),
    );

    await expect(old.echo.add({ a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
    await expect(fresh.echo.add({ a: 2, b: 2 })).resolves.toEqual({ sum: 4 });
  });

  it.each([
    ['an unsigned request', undefined],
    ['a wrong secret', { keyId: 'k1', key: 'not the secret the server has' }],
    ['an unknown key id', { keyId: 'k9', key: KEY_1.key }],
  ])('refuses %s with UNAUTHENTICATED, not executed, and counts it', async (_name, signing) => {
    const { server, port } = await serve({ [KEY_1.keyId]: KEY_1.key });
    const client = open.track(
      createClient<AppRouter>(`udp://127.0.0.1:${port}`, { ...(signing && { signing }), tcpFallback: false }),
    );

    await expect(client.kv.set({ key: 'k', value: 'v' })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      notExecuted: true,
    });
    expect(server.stats.signatureRejected).toBeGreaterThanOrEqual(1);
    expect(server.stats.calls).toBe(0);
  });

  it('refuses a signature whose timestamp is outside the allowed skew', async () => {
    const { server, port } = await serve({ [KEY_1.keyId]: KEY_1.key });
    const raw = open.track(await openRawUdp(port));
    const stale = signEnvelope(
      codec,
      encodeRequest(1, 'echo.add', { a: 1, b: 1 }),
      { ...KEY_1, audience: signingAudience('127.0.0.1', port) },
      Date.now() - 10 * 60_000,
    );
    await raw.send(stale);

    expect(decodeResponse(await raw.received.next())).toMatchObject({ id: 1, error: { code: 'UNAUTHENTICATED' } });
    expect(server.stats.calls).toBe(0);
  });

  it('drops a replayed signed datagram: the handler runs once and the replay draws nothing', async () => {
    const { server, port } = await serve({ [KEY_1.keyId]: KEY_1.key });
    const raw = open.track(await openRawUdp(port));
    const request = encodeRequest(
      7,
      'kv.set',
      { key: 'k', value: 'v' },
      { deadlineMs: 5_000, attempt: 1, clientId: Buffer.alloc(8, 4) },
    );
    const signed = signEnvelope(codec, request, { ...KEY_1, audience: signingAudience('127.0.0.1', port) });
    await raw.send(signed);
    await raw.send(signed);
    const first = codec.decode(await raw.received.next());
    await waitFor(() => server.stats.signatureReplays === 1);

    expect(first).toMatchObject({ ok: true, value: { kind: KIND.signed, keyId: 'k1' } });
    expect(raw.received.unread).toBe(0);
    expect(server.stats).toMatchObject({ calls: 1, signatureReplays: 1 });
  });
});
