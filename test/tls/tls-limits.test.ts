/**
 * The stream limits hold over TLS too: a client that starts a frame and never finishes it is
 * closed (slowloris), as on plain TCP.
 */
import { connect } from 'node:tls';
import { createServer, type Server } from '@volley/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogCapture, createProbe, createTestRouter, Resources, waitFor } from '../support/index.js';
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
    const bound = await server.listen({ tls: { host: '127.0.0.1', port: 0, cert: pki.server.cert, key: pki.server.key, partialFrameTimeoutMs: 100 } });
    const socket = connect({ host: '127.0.0.1', port: bound.tls?.port ?? 0, ca: pki.ca, servername: 'localhost' });
    open.track({ close: async () => void socket.destroy() });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    socket.write(Buffer.from([0, 0, 0, 50, 0x94]));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await waitFor(() => server.stats.brokenStreams === 1, { what: 'the server to record the closed connection' });

    expect(logs.withMessage('connection closed on error')).toEqual([expect.objectContaining({ reason: expect.stringContaining('Frame not completed within 100 ms') })]);
  });
});
