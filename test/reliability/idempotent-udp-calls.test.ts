/**
 * Idempotent procedures over UDP: the server keeps none of their replies unless it must, yet a
 * duplicate of one still running is dropped, a reply too large for a datagram is still fetched
 * over TCP, and a reply above the anti-amplification budget still costs one cookie round trip and
 * no second run. (The server builds such a call's key only when one of these needs it.)
 */
import { createClient } from '@volley/client';
import { KIND } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeResponse,
  encodeRequest,
  openRawUdp,
  Resources,
  startProbeServer,
  type TestRouter,
  waitFor,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

const setup = () => startProbeServer(open);

describe('an idempotent procedure over UDP', () => {
  it.each([
    ['a client id', { deadlineMs: 5_000, attempt: 1, clientId: Buffer.alloc(8, 7) }],
    ['no client id (keyed by source address)', { deadlineMs: 5_000 }],
  ])('drops a duplicate that arrives while the call runs, with %s, and runs the handler once', async (_, meta) => {
    const { app, probe } = await setup();
    const raw = open.track(await openRawUdp(app.udpPort));
    const request = encodeRequest(41, 'probe.holdIdempotent', {}, meta);

    await raw.send(request);
    await waitFor(() => probe.holding === 1, { what: 'the call to be running' });
    await raw.send(request);
    await waitFor(() => app.server.stats.duplicatesDropped === 1, { what: 'the duplicate to be dropped' });
    probe.release();

    expect(decodeResponse(await raw.received.next())).toMatchObject({
      kind: KIND.response,
      id: 41,
      result: { released: true },
    });
    expect(probe.outcomes).toHaveLength(1);
    // The next call with the same msgid is a new call: nothing of the first was kept.
    await raw.send(request);
    await waitFor(() => probe.holding === 1, { what: 'the second call to be running' });
    probe.release();
    expect(decodeResponse(await raw.received.next())).toMatchObject({ id: 41, result: { released: true } });
    expect(probe.outcomes).toHaveLength(2);
    expect(app.server.stats).toMatchObject({ duplicatesDropped: 1, replyCacheHits: 0 });
  });

  it('keeps a reply too large for a datagram for the TCP fetch, running the handler once', async () => {
    const { app, probe } = await setup();
    const client = open.track(createClient<TestRouter>(app.udpUrl));

    await expect(client.probe.bigIdempotent({ chars: 5_000 })).resolves.toEqual({ text: 'x'.repeat(5_000) });

    expect(probe.bigExecutions).toBe(1);
    expect(app.server.stats).toMatchObject({ truncatedReplies: 1, oversizeReplies: 0 });
    expect(client.stats).toMatchObject({ truncatedReplies: 1, tcpFallbacks: 1 });
  });

  it('keeps a reply above the anti-amplification budget for the retry with the cookie, running the handler once', async () => {
    const { app, probe } = await setup();
    const client = open.track(createClient<TestRouter>(app.udpUrl));

    await expect(client.probe.bigIdempotent({ chars: 800 })).resolves.toEqual({ text: 'x'.repeat(800) });

    expect(client.stats.cookieChallenges).toBe(1);
    expect(app.server.stats).toMatchObject({ cookieChallenges: 1, replyCacheHits: 1 });
    expect(probe.bigExecutions).toBe(1);
  });

  it('answers calls with the same msgid from two client ids each with its own run', async () => {
    const { app, probe } = await setup();
    const raw = open.track(await openRawUdp(app.udpPort));

    for (const fill of [1, 2]) {
      await raw.send(
        encodeRequest(
          9,
          'probe.holdIdempotent',
          {},
          { deadlineMs: 5_000, attempt: 1, clientId: Buffer.alloc(8, fill) },
        ),
      );
    }
    await waitFor(() => probe.holding === 2, { what: 'both calls to be running' });
    probe.release();

    const replies = [decodeResponse(await raw.received.next()), decodeResponse(await raw.received.next())];
    expect(replies.map((reply) => reply.meta?.clientId?.[0]).sort()).toEqual([1, 2]);
    expect(app.server.stats.duplicatesDropped).toBe(0);
  });
});
