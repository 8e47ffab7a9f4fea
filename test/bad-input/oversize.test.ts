import { createClient } from '@volley/client';
import { DEFAULT_MAX_DATAGRAM_BYTES } from '@volley/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { createProbe, createTestRouter, decodeResponse, encodeRequest, openRawUdp, Resources, startTestServer, type TestRouter } from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

async function setup() {
  const probe = createProbe();
  const app = open.track(await startTestServer({ router: createTestRouter(probe) }));
  const udp = open.track(createClient<TestRouter>(app.udpUrl));
  return { app, probe, udp };
}

describe('a reply too large for a datagram', () => {
  it('reaches the caller as PAYLOAD_TOO_LARGE with the sizes, and is counted and logged', async () => {
    const { app, probe, udp } = await setup();

    const error = await udp.probe.big({ chars: 5_000 }).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      local: false,
      data: { bytes: expect.any(Number), limit: DEFAULT_MAX_DATAGRAM_BYTES },
    });
    expect((error as { data: { bytes: number } }).data.bytes).toBeGreaterThan(5_000);
    expect(probe.bigExecutions).toBe(1);
    expect(app.server.stats.oversizeReplies).toBe(1);
    expect(app.logs.withMessage('reply too large for the channel')).toEqual([
      expect.objectContaining({ level: 'warn', limit: DEFAULT_MAX_DATAGRAM_BYTES, peer: expect.objectContaining({ transport: 'udp' }) }),
    ]);
    await expect(udp.probe.big({ chars: 10 })).resolves.toEqual({ text: 'x'.repeat(10) });
  });

  it('is delivered whole over TCP, whose frames are far larger', async () => {
    const { app } = await setup();
    const tcp = open.track(createClient<TestRouter>(app.tcpUrl));

    await expect(tcp.probe.big({ chars: 5_000 })).resolves.toEqual({ text: 'x'.repeat(5_000) });
    expect(app.server.stats.oversizeReplies).toBe(0);
  });

  it('answers a raw datagram bigger than the limit with PAYLOAD_TOO_LARGE for its id', async () => {
    const { app } = await setup();
    const raw = open.track(await openRawUdp(app.udpPort));

    await raw.send(encodeRequest(21, 'echo.echo', { message: 'y'.repeat(4_000) }));
    const reply = decodeResponse(await raw.received.next());

    expect(reply).toMatchObject({ id: 21, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(app.server.stats.oversizeReplies).toBe(1);
  });

  // Regression (fixed): the handler ran (probe.bigExecutions is 1) but the caller was told it did not. The server
  // replaces the reply with PAYLOAD_TOO_LARGE (packages/server/src/reply-sender.ts sendResult, ≈ line
  // 39), and the client rebuilds it with `RpcError.fromWire` (packages/wire/src/rpc-error.ts), which
  // takes `notExecuted` from ERROR_CODES, where PAYLOAD_TOO_LARGE is `notExecuted: true`. A caller
  // following the documented rule would retry a non-idempotent call that already took effect.
  // Fix: have the server mark errors raised after the handler ran (e.g. `data.executed: true`, or a
  // wire field) and let `fromWire` honour it, or answer an oversize reply with a code whose
  // `notExecuted` is false (e.g. INTERNAL).
  it('tells the caller that the call did run (notExecuted false)', async () => {
    const { probe, udp } = await setup();

    const error = await udp.probe.big({ chars: 5_000 }).catch((e: unknown) => e);

    expect(probe.bigExecutions).toBe(1);
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', notExecuted: false });
  });
});

describe('a request too large for a datagram', () => {
  it('fails locally with PAYLOAD_TOO_LARGE, not executed, and sends nothing', async () => {
    const { app, udp } = await setup();

    const error = await udp.echo.echo({ message: 'z'.repeat(1_300) }).catch((e: unknown) => e);
    // Datagrams from one socket arrive in order: once this call is answered, an earlier send would have been counted.
    await expect(udp.echo.ping()).resolves.toMatchObject({ pong: true });

    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', local: true, notExecuted: true });
    expect(app.server.stats).toMatchObject({ calls: 1, malformed: 0 });
  });
});
