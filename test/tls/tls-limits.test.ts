/**
 * The stream limits hold over TLS too: a client that starts a frame and never finishes it is
 * closed (slowloris), as on plain TCP; and (issue 13, item 7) a connection that never finishes
 * its handshake is destroyed after the handshake timeout, giving its `maxConnections` slot back.
 */
import { connect } from 'node:tls';
import { createClient } from '@volley/client';
import { createServer, type Server } from '@volley/server';
import { type ConnectionRefusal, createTlsTransport } from '@volley/transport';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRawTcp,
  createLogCapture,
  createProbe,
  createTestRouter,
  Resources,
  type TestRouter,
  waitFor,
} from '../support/index.js';
import { createTestPki, type TestPki } from './test-pki.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(async () => {
  await pki?.remove();
});

const open = new Resources();
afterEach(() => open.closeAll());

describe('limits over tls://', () => {
  it('closes a TLS connection whose frame is never completed', async () => {
    const logs = createLogCapture('debug');
    const server: Server = createServer({ router: createTestRouter(createProbe()), logger: logs.logger });
    open.track({ close: () => server.close({ graceMs: 0 }) });
    const bound = await server.listen({
      tls: { host: '127.0.0.1', port: 0, cert: pki.server.cert, key: pki.server.key, partialFrameTimeoutMs: 100 },
    });
    const socket = connect({ host: '127.0.0.1', port: bound.tls?.port ?? 0, ca: pki.ca, servername: 'localhost' });
    open.track({ close: async () => void socket.destroy() });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    socket.write(Buffer.from([0, 0, 0, 50, 0x94]));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await waitFor(() => server.stats.brokenStreams === 1, { what: 'the server to record the closed connection' });

    expect(logs.withMessage('connection closed on error')).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('Frame not completed within 100 ms') }),
    ]);
  });

  // Node's handshake timer is internal to node:tls (fake timers cannot drive it): a short real
  // timeout, every wait bounded by the close events it causes.
  it('destroys connections that never finish their handshake, so a good client gets a freed slot', async () => {
    const transport = open.track(
      createTlsTransport({
        host: '127.0.0.1',
        port: 0,
        cert: pki.server.cert,
        key: pki.server.key,
        maxConnections: 2,
        handshakeTimeoutMs: 500,
      }),
    );
    const refusals: Array<{ code: ConnectionRefusal['code']; address: string | undefined }> = [];
    const bound = await transport.listen({
      onMessage: () => {},
      onConnectionRefused: (refusal, peer) => void refusals.push({ code: refusal.code, address: peer?.address }),
    });
    const silent = [open.track(await connectRawTcp(bound.port)), open.track(await connectRawTcp(bound.port))];
    // While the silent two hold both slots, anyone else is turned away on arrival.
    const lockedOut = open.track(await connectRawTcp(bound.port));
    await lockedOut.closed;

    await Promise.all(silent.map((raw) => raw.closed));
    const good = connect({ host: '127.0.0.1', port: bound.port, ca: pki.ca, servername: 'localhost' });
    open.track({ close: async () => void good.destroy() });
    await new Promise<void>((resolve, reject) => {
      good.once('secureConnect', () => resolve());
      good.once('error', reject);
    });
    await waitFor(() => transport.connectionCount === 1, { what: 'the good client to be served' });

    expect(transport.stats).toMatchObject({ connectionsRefused: 1, handshakeTimeouts: 2 });
    expect(refusals).toEqual([
      { code: 'MAX_CONNECTIONS', address: '127.0.0.1' },
      { code: 'HANDSHAKE_TIMEOUT', address: '127.0.0.1' },
      { code: 'HANDSHAKE_TIMEOUT', address: '127.0.0.1' },
    ]);
  });

  it('logs each handshake timeout once, as a warn line without a stack', async () => {
    const logs = createLogCapture('debug');
    const server: Server = createServer({ router: createTestRouter(createProbe()), logger: logs.logger });
    open.track({ close: () => server.close({ graceMs: 0 }) });
    const bound = await server.listen({
      tls: {
        host: '127.0.0.1',
        port: 0,
        cert: pki.server.cert,
        key: pki.server.key,
        maxConnections: 1,
        handshakeTimeoutMs: 200,
      },
    });
    const port = bound.tls?.port ?? 0;
    const silent = open.track(await connectRawTcp(port));
    await silent.closed;
    const client = open.track(
      createClient<TestRouter>(`tls://127.0.0.1:${port}`, { tls: { ca: pki.ca, servername: 'localhost' } }),
    );
    await expect(client.echo.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 });

    const refused = logs.withMessage('connection refused');
    expect(refused).toEqual([
      expect.objectContaining({
        level: 'warn',
        code: 'HANDSHAKE_TIMEOUT',
        reason: 'TLS handshake not finished within 200 ms',
        peer: expect.objectContaining({ transport: 'tls' }),
      }),
    ]);
    expect(JSON.stringify(refused)).not.toContain('stack');
    expect(logs.withMessage('transport error')).toEqual([]);
  });
});
