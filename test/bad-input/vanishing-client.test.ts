import { createClient } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRawTcp,
  encodeRequest,
  Resources,
  startProbeServer,
  startTestServer,
  type TestRouter,
  waitFor,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

describe('a TCP client that disconnects mid-call', () => {
  it('stops echo.slow when the raw connection is destroyed, logs why, and returns inFlight to 0', async () => {
    const app = open.track(await startTestServer());
    const raw = open.track(await connectRawTcp(app.tcpPort));
    const other = open.track(createClient<AppRouter>(app.tcpUrl));
    raw.sendFrame(encodeRequest(1, 'echo.slow', { ms: 5_000 }, { deadlineMs: 10_000 }));
    await waitFor(() => app.server.inFlight === 1, { what: 'echo.slow to start' });

    await raw.destroy();
    await waitFor(() => app.logs.withMessage('slow call stopped early').length === 1, {
      what: 'the handler to see its signal fire',
    });

    expect(app.server.inFlight).toBe(0);
    expect(app.logs.withMessage('client went away mid-call')).toEqual([
      expect.objectContaining({
        level: 'info',
        abandonedCalls: 1,
        peer: expect.objectContaining({ transport: 'tcp' }),
      }),
    ]);
    expect(app.server.stats.brokenStreams).toBe(0);
    await expect(other.echo.add({ a: 2, b: 2 })).resolves.toEqual({ sum: 4 });
  });

  it('fires the handler signal with CANCELLED when a real client is closed mid-call', async () => {
    const { app, probe } = await startProbeServer(open);
    const client = open.track(createClient<TestRouter>(app.tcpUrl));
    const pending = client.probe.hold().catch((e: unknown) => e);
    await waitFor(() => probe.holding === 1, { what: 'probe.hold to start' });

    await client.close();
    await waitFor(() => probe.outcomes.length === 1, { what: 'the handler to see its signal fire' });

    expect(probe.outcomes).toEqual([{ aborted: true, reasonCode: 'CANCELLED' }]);
    await expect(pending).resolves.toMatchObject({ code: 'CLOSED', local: true });
    expect(app.server.inFlight).toBe(0);
    expect(app.logs.withMessage('client went away mid-call')).toEqual([expect.objectContaining({ abandonedCalls: 1 })]);
  });

  it('abandons every call of the vanished connection and none of another connection’s', async () => {
    const { app, probe } = await startProbeServer(open);
    const raw = open.track(await connectRawTcp(app.tcpPort));
    const other = open.track(createClient<TestRouter>(app.tcpUrl));
    for (const id of [1, 2, 3]) raw.sendFrame(encodeRequest(id, 'probe.hold', {}));
    const survivor = other.probe.hold();
    await waitFor(() => probe.holding === 4, { what: 'all four calls to start' });

    await raw.destroy();
    await waitFor(() => probe.outcomes.length === 3, { what: 'the three abandoned calls to be aborted' });

    expect(probe.outcomes.map((outcome) => outcome.reasonCode)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(app.server.inFlight).toBe(1);
    probe.release();
    await expect(survivor).resolves.toEqual({ released: true });
    expect(app.server.inFlight).toBe(0);
  });
});

describe('a TCP client that resets its connection mid-call', () => {
  it('counts a broken stream, logs the reset, and cancels the call', async () => {
    const { app, probe } = await startProbeServer(open);
    const raw = open.track(await connectRawTcp(app.tcpPort));
    raw.sendFrame(encodeRequest(1, 'probe.hold', {}));
    await waitFor(() => probe.holding === 1, { what: 'probe.hold to start' });

    raw.socket.resetAndDestroy();
    await waitFor(() => probe.outcomes.length === 1, { what: 'the handler to see its signal fire' });

    expect(probe.outcomes).toEqual([{ aborted: true, reasonCode: 'CANCELLED' }]);
    expect(app.server.stats.brokenStreams).toBe(1);
    expect(app.server.inFlight).toBe(0);
    expect(app.logs.withMessage('connection closed on error')).toEqual([
      expect.objectContaining({ level: 'warn', reason: expect.stringContaining('ECONNRESET'), abandonedCalls: 1 }),
    ]);
  });
});

describe('a UDP caller that gives up mid-call', () => {
  it('cancels the handler when the caller aborts, and returns inFlight to 0', async () => {
    const { app, probe } = await startProbeServer(open);
    const client = open.track(createClient<TestRouter>(app.udpUrl));
    const controller = new AbortController();
    const pending = client.probe.hold(undefined, { signal: controller.signal }).catch((e: unknown) => e);
    await waitFor(() => probe.holding === 1, { what: 'probe.hold to start' });

    controller.abort();
    await waitFor(() => probe.outcomes.length === 1, { what: 'the cancel to reach the handler' });

    expect(probe.outcomes).toEqual([{ aborted: true, reasonCode: 'CANCELLED' }]);
    await expect(pending).resolves.toMatchObject({ code: 'CANCELLED', local: true });
    expect(app.server.stats.cancelled).toBe(1);
    expect(app.server.inFlight).toBe(0);
    await expect(client.echo.ping()).resolves.toMatchObject({ pong: true });
  });
});
