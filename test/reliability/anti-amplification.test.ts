/**
 * Issue 4, item 5: to a UDP source that has not proved it receives at its address, the server
 * sends at most 3× the bytes it got; larger replies need the stateless cookie round trip, which
 * a real client does on its own.
 */
import { createClient } from '@volley/client';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRequest, openRawUdp, Resources, startProbeServer, type TestRouter, waitFor } from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

const setup = () => startProbeServer(open);

describe('anti-amplification over UDP', () => {
  it('answers a spoofed-source flood with at most 3× the bytes it received', async () => {
    const { app } = await setup();
    const raw = open.track(await openRawUdp(app.udpPort));
    let sent = 0;
    for (let id = 1; id <= 500; id++) {
      // A reply of ~800 bytes for a ~40-byte request: a 20× amplifier without the cookie rule.
      const request = encodeRequest(
        id,
        'probe.big',
        { chars: 800 },
        { deadlineMs: 1_000, attempt: 1, clientId: Buffer.alloc(8, id & 0xff) },
      );
      sent += request.length;
      await raw.send(request);
    }
    await waitFor(() => app.server.stats.cookieChallenges + app.server.stats.amplificationSuppressed >= 500);
    let received = 0;
    while (raw.received.unread > 0) received += (await raw.received.next()).length;

    console.log(
      `[anti-amplification] spoofed flood: ${sent} bytes in, ${received} bytes out (x${(received / sent).toFixed(2)})`,
    );
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThanOrEqual(3 * sent);
    expect(app.server.stats.cookieChallenges).toBe(500);
  });

  it('costs a real client one extra round trip, once, and never a second run of the handler', async () => {
    const { app, probe } = await setup();
    const client = open.track(createClient<TestRouter>(app.udpUrl));

    await expect(client.probe.big({ chars: 800 })).resolves.toEqual({ text: 'x'.repeat(800) });
    await expect(client.probe.big({ chars: 801 })).resolves.toEqual({ text: 'x'.repeat(801) });

    expect(client.stats.cookieChallenges).toBe(1);
    expect(app.server.stats.cookieChallenges).toBe(1);
    expect(probe.bigExecutions).toBe(2);
  });

  it('ignores a cookie made for another address or forged', async () => {
    const { app } = await setup();
    const raw = open.track(await openRawUdp(app.udpPort));
    const forged = Buffer.alloc(16, 7);
    const request = encodeRequest(
      1,
      'probe.big',
      { chars: 800 },
      { deadlineMs: 1_000, attempt: 1, clientId: Buffer.alloc(8, 1), cookie: forged },
    );
    await raw.send(request);
    const reply = await raw.received.next();

    expect(reply.length).toBeLessThanOrEqual(3 * request.length);
    expect(app.server.stats.cookieChallenges).toBe(1);
  });
});
