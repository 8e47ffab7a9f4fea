import { createClient } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRawTcp,
  createProbe,
  createSeededRandom,
  createTestRouter,
  openRawUdp,
  Resources,
  randomBytesFrom,
  startTestServer,
  type TestRouter,
  waitFor,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

const GARBAGE_DATAGRAMS = 2_000;
const REAL_CALL_EVERY = 100;
const BROKEN_CONNECTIONS = 50;

describe('a flood of garbage datagrams', () => {
  it('does not stop real calls over UDP and TCP interleaved with it from succeeding', async () => {
    const app = open.track(await startTestServer());
    const senders = await Promise.all([1, 2, 3, 4].map(async () => open.track(await openRawUdp(app.udpPort))));
    const udp = open.track(createClient<AppRouter>(app.udpUrl));
    const tcp = open.track(createClient<AppRouter>(app.tcpUrl));
    const random = createSeededRandom(2024);

    const sends: Promise<void>[] = [];
    const calls: Promise<{ sum: number }>[] = [];
    const expected: number[] = [];
    for (let i = 0; i < GARBAGE_DATAGRAMS; i++) {
      const sender = senders[i % senders.length];
      if (!sender) throw new Error('no sender');
      sends.push(sender.send(randomBytesFrom(random, 1 + Math.floor(random() * 300))));
      if (i % REAL_CALL_EVERY === 0) {
        calls.push(udp.echo.add({ a: i, b: 1 }), tcp.echo.add({ a: i, b: 2 }));
        expected.push(i + 1, i + 2);
      }
    }
    await Promise.all(sends);
    const results = await Promise.all(calls);

    expect(results.map((result) => result.sum)).toEqual(expected);
    // The kernel may drop some of the flood (the client retransmits its own calls); every datagram read is accounted for.
    expect(app.server.stats.malformed).toBeGreaterThan(0);
    expect(app.logs.withMessage('unexpected failure handling a message')).toEqual([]);
    await expect(udp.echo.echo({ message: 'after the flood' })).resolves.toEqual({ message: 'after the flood' });
    // Issue 13, item 5: every datagram counted, one line written, and the rest summed up in one
    // more line (at the end of the 10 s window, or here when the server closes).
    expect(app.logs.withMessage('malformed envelope')).toEqual([expect.objectContaining({ level: 'info' })]);
    await app.close();
    const malformed = app.server.stats.malformed;
    expect(app.logs.withMessage(`malformed envelope: ${malformed - 1} more in the last 10 s`)).toEqual([
      expect.objectContaining({ level: 'info', suppressed: malformed - 1 }),
    ]);
  });
});

describe('many connections breaking at once', () => {
  it('closes and counts each of them while a call in flight on a healthy connection completes', async () => {
    const probe = createProbe();
    const app = open.track(await startTestServer({ router: createTestRouter(probe) }));
    const client = open.track(createClient<TestRouter>(app.tcpUrl));
    const inFlight = client.probe.hold();
    await waitFor(() => probe.holding === 1, { what: 'the healthy call to start' });
    const raws = await Promise.all(
      Array.from({ length: BROKEN_CONNECTIONS }, async () => open.track(await connectRawTcp(app.tcpPort))),
    );

    for (const [i, raw] of raws.entries())
      raw.write(i % 2 === 0 ? Buffer.from([0xff, 0xff, 0xff, 0xf0]) : Buffer.alloc(4));
    await Promise.all(raws.map((raw) => raw.closed));
    await waitFor(() => app.server.stats.brokenStreams === BROKEN_CONNECTIONS, {
      what: 'every broken stream to be counted',
    });

    // One line for the first, the rest counted (brokenStreams) and summed up when the window ends.
    expect(app.logs.withMessage('connection closed on error')).toHaveLength(1);
    probe.release();
    await expect(inFlight).resolves.toEqual({ released: true });
    await expect(client.echo.add({ a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
  });
});
