/**
 * Regression: the reply cache answers a retransmission only when it bears the same credentials as
 * the request that ran, so knowing a client id and msgid is not enough to read a kept reply.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest, openRawUdp, Resources, startTestServer } from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

const clientId = Buffer.from('a1a2a3a4a5a6a7a8', 'hex');

describe('a kept reply and credentials', () => {
  it('is resent to the same credentials, and never to a request without them', async () => {
    const app = open.track(await startTestServer());
    const owner = open.track(await openRawUdp(app.udpPort));
    const stranger = open.track(await openRawUdp(app.udpPort));
    const request = (attempt: number, auth?: string) =>
      encodeRequest(
        5,
        'kv.set',
        { key: 'secret', value: 'v' },
        { deadlineMs: 10_000, attempt, clientId, ...(auth && { auth }) },
      );

    await owner.send(request(1, 'token-of-the-owner'));
    const first = decodeResponse(await owner.received.next());
    await owner.send(request(2, 'token-of-the-owner'));
    const resent = decodeResponse(await owner.received.next());
    await stranger.send(request(1));
    const strangers = decodeResponse(await stranger.received.next());

    expect(first).toMatchObject({ id: 5, result: { version: 1 } });
    expect(resent).toMatchObject({ id: 5, result: { version: 1 } });
    // Without the owner's credentials the request is a different call: it runs (the open kv
    // router lets it) and gets its own version, rather than reading the owner's kept reply.
    expect(strangers).toMatchObject({ id: 5, result: { version: 2 } });
    expect(app.server.stats.replyCacheHits).toBe(1);
  });
});
