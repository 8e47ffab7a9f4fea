import { createClient } from '@volley/client';
import { createServer } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogCapture,
  createProbe,
  createSeededRandom,
  createTestRouter,
  decodeResponse,
  encodeRequest,
  openRawUdp,
  Resources,
  type TestRouter,
  waitFor,
} from '../support/index.js';
import { startUdpFaultRelay } from '../support/udp-fault-relay.js';

const open = new Resources();
afterEach(() => open.closeAll());

const MAX_IN_FLIGHT = 2;

/** A server that runs at most two calls at once, on UDP and TCP at one port number. */
async function setup() {
  const probe = createProbe();
  const server = createServer({
    router: createTestRouter(probe),
    logger: createLogCapture().logger,
    maxInFlight: MAX_IN_FLIGHT,
  });
  open.track({ close: () => server.close({ graceMs: 0 }) });
  const bound = await server.listen({ udp: { host: '127.0.0.1', port: 0 }, tcp: { host: '127.0.0.1', port: 0 } });
  if (!bound.udp || !bound.tcp) throw new Error('Server did not bind both udp and tcp');
  return {
    probe,
    server,
    udpPort: bound.udp.port,
    urls: { udp: `udp://127.0.0.1:${bound.udp.port}`, tcp: `tcp://127.0.0.1:${bound.tcp.port}` },
  };
}

describe('a server at its maxInFlight limit', () => {
  it.each(['udp', 'tcp'] as const)(
    'refuses one call more over %s with RESOURCE_EXHAUSTED, not executed, and serves again once calls finish',
    async (transport) => {
      const { probe, server, urls } = await setup();
      const client = open.track(createClient<TestRouter>(urls[transport]));
      const held = [client.probe.hold(), client.probe.hold()];
      await waitFor(() => probe.holding === MAX_IN_FLIGHT, { what: 'two calls to be running' });

      const refused = await client.probe.big({ chars: 1 }).catch((e: unknown) => e);

      expect(refused).toMatchObject({ code: 'RESOURCE_EXHAUSTED', notExecuted: true, local: false });
      expect(probe.bigExecutions).toBe(0);
      expect(server.stats.overloadRejected).toBe(1);
      probe.release();
      await expect(Promise.all(held)).resolves.toEqual([{ released: true }, { released: true }]);
      await expect(client.probe.big({ chars: 1 })).resolves.toEqual({ text: 'x' });
    },
  );

  it('does not count retransmissions of the calls it is running against the limit', async () => {
    const { probe, server, udpPort } = await setup();
    // Every request arrives twice, as after a retransmission: the copy must not take a second slot.
    const relay = open.track(
      await startUdpFaultRelay({ serverPort: udpPort, seed: 2, toServer: { duplicatePercent: 100 } }),
    );
    const client = open.track(createClient<TestRouter>(relay.url, { retransmit: { random: createSeededRandom(3) } }));
    const held = [client.probe.hold(), client.probe.hold()];
    await waitFor(() => probe.holding === MAX_IN_FLIGHT && server.stats.duplicatesDropped >= MAX_IN_FLIGHT, {
      what: 'two calls running and their duplicates',
    });

    expect(server.stats.overloadRejected).toBe(0);
    probe.release();
    await expect(Promise.all(held)).resolves.toEqual([{ released: true }, { released: true }]);
  });

  // Regression: a copy of a refused request (a network duplicate, or a retransmission sent before
  // the refusal arrived) used to run once there was room, after the caller had been told
  // RESOURCE_EXHAUSTED with notExecuted true and might have retried under a new msgid.
  it('gives a later copy of a refused UDP request the same refusal, so "not executed" stays true', async () => {
    const { probe, udpPort, urls } = await setup();
    const client = open.track(createClient<TestRouter>(urls.udp));
    const held = [client.probe.hold(), client.probe.hold()];
    await waitFor(() => probe.holding === MAX_IN_FLIGHT, { what: 'two calls to be running' });
    const raw = open.track(await openRawUdp(udpPort));
    const clientId = Buffer.from('0123456789abcdef', 'hex');
    const request = (attempt: number) =>
      encodeRequest(7, 'probe.big', { chars: 1 }, { clientId, attempt, deadlineMs: 10_000 });

    await raw.send(request(1));
    const refusal = decodeResponse(await raw.received.next());
    probe.release();
    await Promise.all(held);
    // The same request again, as a duplicate or an early retransmission still on its way would be.
    await raw.send(request(2));
    const later = decodeResponse(await raw.received.next());

    expect(refusal.error).toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    expect(probe.bigExecutions).toBe(0);
    expect(later.error).toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
  });
});
