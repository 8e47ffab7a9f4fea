import { createClient } from '@volley/client';
import { createCodec, HEALTH_PROCEDURE, KIND, type ResponseMeta } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createProbe,
  createSeededRandom,
  createTestRouter,
  decodeEnvelope,
  openRawUdp,
  Resources,
  randomBytesFrom,
  startTestServer,
  type TestRouter,
  waitFor,
} from '../support/index.js';
import { startUdpFaultRelay } from '../support/udp-fault-relay.js';

const open = new Resources();
afterEach(() => open.closeAll());

const codec = createCodec();
const REAL_CALLS = 8;
const RANDOM_FORGERIES = 2_000;
/** Forgeries per real call that carry its msgid (as an on-path observer could) but not its client id. */
const TARGETED_FORGERIES = 50;
/** Sent in batches, each read by the client before the next, so a small socket buffer cannot lose any. */
const BATCH = 100;
const FORGED_RESULT = { released: 'forged' };

function forgedReply(id: number, meta?: ResponseMeta): Buffer {
  return codec.encode({ kind: KIND.response, id, result: FORGED_RESULT, ...(meta && { meta }) });
}

/**
 * A server whose `probe.hold` calls stay pending until released, a clean relay in front of it (so
 * the test learns the client's port and the msgids of its requests), and a client talking to the relay.
 */
async function setup() {
  const probe = createProbe();
  const app = open.track(await startTestServer({ router: createTestRouter(probe) }));
  const requests = new Map<number, Uint8Array | undefined>();
  const pongsToServer: Buffer[] = [];
  const relay = open.track(
    await startUdpFaultRelay({
      serverPort: app.udpPort,
      seed: 1,
      onDatagram: (direction, bytes) => {
        if (direction !== 'toServer') return;
        const envelope = decodeEnvelope(bytes);
        // The real calls' requests, not their incarnation probe's.
        if (envelope.kind === KIND.request && envelope.method !== HEALTH_PROCEDURE)
          requests.set(envelope.id, envelope.meta?.clientId);
        if (envelope.kind === KIND.pong) pongsToServer.push(bytes);
      },
    }),
  );
  const client = open.track(createClient<TestRouter>(relay.url));
  const held = Array.from({ length: REAL_CALLS }, () => client.probe.hold());
  await waitFor(() => probe.holding === REAL_CALLS, { what: 'the real calls to be running' });
  return { probe, relay, client, held, requests, pongsToServer };
}

/** Sends `datagrams` in batches through `send`, waiting after each until `counted()` has caught up. */
async function flood(
  datagrams: readonly Buffer[],
  send: (bytes: Buffer) => Promise<void>,
  counted: () => number,
): Promise<void> {
  const start = counted();
  for (let sent = 0; sent < datagrams.length; ) {
    const batch = datagrams.slice(sent, sent + BATCH);
    await Promise.all(batch.map(send));
    sent += batch.length;
    await waitFor(() => counted() - start === sent, { what: `the client to read ${sent} forged replies` });
  }
}

describe('a flood of forged replies', () => {
  it('from the server address through the relay never settles a pending call, and each is counted', async () => {
    const { probe, relay, client, held, requests } = await setup();
    const random = createSeededRandom(77);
    const randomForgeries = Array.from({ length: RANDOM_FORGERIES }, () =>
      forgedReply(Math.floor(random() * 2 ** 32), { attempt: 1, clientId: randomBytesFrom(random, 8) }),
    );
    const pendingIds = [...requests.keys()];
    const targetedForgeries = pendingIds.flatMap((id) =>
      Array.from({ length: TARGETED_FORGERIES }, (_, i) =>
        i % 2 === 0 ? forgedReply(id, { attempt: 1, clientId: randomBytesFrom(random, 8) }) : forgedReply(id),
      ),
    );
    const rejected = () => client.stats.unmatchedReplies + client.stats.forgedReplies;

    await flood(randomForgeries, (bytes) => relay.injectToClient(bytes), rejected);
    await flood(targetedForgeries, (bytes) => relay.injectToClient(bytes), rejected);
    probe.release();
    const results = await Promise.all(held);

    expect(pendingIds).toHaveLength(REAL_CALLS);
    expect(results).toEqual(Array.from({ length: REAL_CALLS }, () => ({ released: true })));
    expect(rejected()).toBe(RANDOM_FORGERIES + targetedForgeries.length);
    // A forgery carrying a pending msgid can only be told apart by its client id.
    expect(client.stats.forgedReplies).toBeGreaterThanOrEqual(targetedForgeries.length);
    expect(client.stats.malformedReplies).toBe(0);
  });

  it('from any other port is dropped by the client transport before it is read', async () => {
    const { probe, relay, client, held, requests } = await setup();
    const clientPort = relay.clients[0]?.port;
    if (clientPort === undefined) throw new Error('the relay saw no client');
    const forger = open.track(await openRawUdp(clientPort));
    const unusedId = (Math.max(...requests.keys()) + 1_000) % 2 ** 32;
    const forgeries = [...requests.entries()].flatMap(([id, clientId]) =>
      Array.from({ length: 100 }, () => forgedReply(id, { attempt: 1, ...(clientId && { clientId }) })),
    );

    // Even replies that would match in every field are refused when they come from the wrong port.
    await Promise.all(forgeries.map((bytes) => forger.send(bytes)));
    // Control: the same kind of datagram from the relay's port does reach the client and is counted.
    await relay.injectToClient(forgedReply(unusedId));
    await waitFor(() => client.stats.unmatchedReplies === 1, { what: 'the control datagram to be read' });
    probe.release();
    const results = await Promise.all(held);

    expect(results).toEqual(Array.from({ length: REAL_CALLS }, () => ({ released: true })));
    expect(client.stats).toMatchObject({ unmatchedReplies: 1, forgedReplies: 0, malformedReplies: 0 });
  });

  it('of goaway and ping from the server address leave a UDP client on its socket, answering nothing (issue 13, item 4)', async () => {
    const { probe, relay, client, held, pongsToServer } = await setup();
    const forgeries = Array.from({ length: 40 }, (_, i) =>
      codec.encode(i % 2 === 0 ? { kind: KIND.goaway, reason: 'x' } : { kind: KIND.ping, id: i }),
    );

    await flood(
      forgeries,
      (bytes) => relay.injectToClient(bytes),
      () => client.stats.strayDatagrams,
    );
    probe.release();
    await Promise.all(held);
    await expect(client.echo.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 });

    // Goaway and ping are stream-only: one source port throughout, and no pong ever sent.
    expect(relay.clients).toHaveLength(1);
    expect(pongsToServer).toEqual([]);
    expect(client.stats.strayDatagrams).toBe(40);
  });
});
