/**
 * Issue 4: keepalive pings find a dead peer while calls wait on it, so the calls fail promptly
 * with UNAVAILABLE instead of hanging until their deadlines.
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createClient } from '@volley/client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createProbe,
  createTestRouter,
  Resources,
  startTcpRewriteRelay,
  startTestServer,
  type TestRouter,
  waitFor,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

/** A TCP server that accepts and reads everything but never answers: a hung peer. */
async function startBlackHole(): Promise<number> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
  });
  open.track({
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

describe('keepalive on TCP', () => {
  it('fails calls waiting on a peer that stopped answering with UNAVAILABLE, long before their deadline', {
    timeout: 10_000,
  }, async () => {
    const port = await startBlackHole();
    const client = open.track(
      createClient<TestRouter>(`tcp://127.0.0.1:${port}`, { keepalive: { intervalMs: 100, timeoutMs: 100 } }),
    );

    const error = await client.echo.add({ a: 1, b: 2 }, { timeoutMs: 60_000 }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'UNAVAILABLE', notExecuted: false, local: true });
  });

  it('keeps a connection whose server answers pings while a slow call runs', { timeout: 10_000 }, async () => {
    const probe = createProbe();
    const app = open.track(await startTestServer({ router: createTestRouter(probe) }));
    // Through a relay that counts what the server sends: while the call is held, only pongs.
    const relay = open.track(await startTcpRewriteRelay({ serverPort: app.tcpPort }));
    // A ping every 50 ms of silence; a 2 s timeout, so a stalled loaded machine cannot drop the connection.
    const client = open.track(createClient<TestRouter>(relay.url, { keepalive: { intervalMs: 50, timeoutMs: 2_000 } }));
    const call = client.probe.hold();
    await waitFor(() => probe.holding === 1);
    const before = relay.chunks.toClient;
    await waitFor(() => relay.chunks.toClient >= before + 3, { what: 'the server to answer three pings' });
    probe.release();

    await expect(call).resolves.toEqual({ released: true });
  });
});
