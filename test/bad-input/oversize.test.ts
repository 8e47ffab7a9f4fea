import { createClient } from '@volley/client';
import { DEFAULT_MAX_DATAGRAM_BYTES } from '@volley/transport';
import { KIND } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callsBesidesProbes,
  decodeEnvelope,
  encodeRequest,
  openRawUdp,
  Resources,
  startProbeServer,
  type TestRouter,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

async function setup(clientOptions: Parameters<typeof createClient>[1] = {}) {
  const { app, probe } = await startProbeServer(open);
  const udp = open.track(createClient<TestRouter>(app.udpUrl, clientOptions));
  return { app, probe, udp };
}

describe('a reply too large for a datagram', () => {
  it('is fetched over TCP from the reply cache: the handler runs once and no datagram exceeds the limit', async () => {
    const { app, probe, udp } = await setup();

    await expect(udp.probe.big({ chars: 5_000 })).resolves.toEqual({ text: 'x'.repeat(5_000) });

    expect(probe.bigExecutions).toBe(1);
    expect(app.server.stats).toMatchObject({ truncatedReplies: 1, oversizeReplies: 0 });
    expect(udp.stats).toMatchObject({ truncatedReplies: 1, tcpFallbacks: 1 });
  });

  it('fails with PAYLOAD_TOO_LARGE saying the call ran, when the client has no TCP route', async () => {
    const { probe, udp } = await setup({ tcpFallback: false });

    const error = await udp.probe.big({ chars: 5_000 }).catch((e: unknown) => e);

    expect(probe.bigExecutions).toBe(1);
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', notExecuted: false });
  });

  it('is delivered whole over TCP, whose frames are far larger', async () => {
    const { app } = await setup();
    const tcp = open.track(createClient<TestRouter>(app.tcpUrl));

    await expect(tcp.probe.big({ chars: 5_000 })).resolves.toEqual({ text: 'x'.repeat(5_000) });
    expect(app.server.stats.truncatedReplies).toBe(0);
  });

  it('answers a raw datagram whose reply is too big with a truncated reply for its id', async () => {
    const { app } = await setup();
    const raw = open.track(await openRawUdp(app.udpPort));

    await raw.send(encodeRequest(21, 'echo.echo', { message: 'y'.repeat(4_000) }));
    const datagram = await raw.received.next();
    const reply = decodeEnvelope(datagram);

    expect(datagram.length).toBeLessThanOrEqual(DEFAULT_MAX_DATAGRAM_BYTES);
    expect(reply).toMatchObject({ kind: KIND.response, id: 21, result: null, meta: { truncated: true } });
    expect(app.server.stats.truncatedReplies).toBe(1);
  });
});

describe('a request too large for a datagram', () => {
  it('goes over TCP when the server has TCP on the same port', async () => {
    const { app, udp } = await setup();

    await expect(udp.echo.echo({ message: 'z'.repeat(5_000) })).resolves.toEqual({ message: 'z'.repeat(5_000) });
    expect(udp.stats.tcpFallbacks).toBe(1);
    expect(app.server.stats.calls).toBe(1);
  });

  it('fails locally with PAYLOAD_TOO_LARGE, not executed, and sends nothing, without a TCP route', async () => {
    const { app, udp } = await setup({ tcpFallback: false });

    const error = await udp.echo.echo({ message: 'z'.repeat(1_300) }).catch((e: unknown) => e);
    // Datagrams from one socket arrive in order: once this call is answered, an earlier send would have been counted.
    await expect(udp.echo.ping()).resolves.toMatchObject({ pong: true });

    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', local: true, notExecuted: true });
    expect(callsBesidesProbes(app.server)).toBe(1);
    expect(app.server.stats.malformed).toBe(0);
  });
});
