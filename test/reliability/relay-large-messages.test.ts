import { Socket } from 'node:dgram';
import { createClient } from '@volley/client';
import { createServer, type ServerOptions } from '@volley/server';
import { DEFAULT_MAX_DATAGRAM_BYTES } from '@volley/transport';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  callsBesidesProbes,
  createLogCapture,
  createProbe,
  createSeededRandom,
  createTestRouter,
  Resources,
  startTestServer,
  type TestRouter,
} from '../support/index.js';
import { startUdpFaultRelay } from '../support/udp-fault-relay.js';

const open = new Resources();
let sends: MockInstance<Socket['send']>;
beforeEach(() => {
  // Every datagram sent in this process, client and server alike, goes through this prototype.
  sends = vi.spyOn(Socket.prototype, 'send');
});
afterEach(async () => {
  await open.closeAll();
  vi.restoreAllMocks();
});

const BIG_CHARS = 64 * 1024;

/** Size of the datagram each `send` call put on the wire: `send(msg, [offset, length,] port, ...)`. */
function datagramSizes(): number[] {
  return sends.mock.calls.map((args: unknown[]) => {
    const [message, second, third] = args;
    if (typeof third === 'number' && typeof second === 'number') return third;
    if (Array.isArray(message))
      return message.reduce((total: number, part: Uint8Array | string) => total + Buffer.byteLength(part), 0);
    return Buffer.byteLength(message as Uint8Array | string);
  });
}

async function setup() {
  const probe = createProbe();
  // UDP and TCP on one port number: the client finds the TCP fallback where it sent the datagram.
  const app = open.track(await startTestServer({ router: createTestRouter(probe) }));
  return { probe, app };
}

describe('a reply too large for a datagram', () => {
  it('is answered truncated over UDP and fetched whole over TCP, running the handler once', async () => {
    const { probe, app } = await setup();
    const client = open.track(createClient<TestRouter>(app.udpUrl));

    const result = await client.probe.big({ chars: BIG_CHARS });

    expect(result.text).toBe('x'.repeat(BIG_CHARS));
    expect(probe.bigExecutions).toBe(1);
    expect(Math.max(...datagramSizes())).toBeLessThanOrEqual(DEFAULT_MAX_DATAGRAM_BYTES);
    expect(callsBesidesProbes(app.server)).toBe(1);
    expect(app.server.stats).toMatchObject({ truncatedReplies: 1, replyCacheHits: 1 });
    expect(client.stats).toMatchObject({ truncatedReplies: 1, tcpFallbacks: 1 });
  });

  it('still runs once when the truncated answers are lost on the way and the call is retransmitted', async () => {
    const { probe, app } = await setup();
    // Replies lose half their datagrams: the client retransmits, and the server answers from its cache.
    const relay = open.track(
      await startUdpFaultRelay({ serverPort: app.udpPort, seed: 64, toClient: { dropPercent: 50 } }),
    );
    const client = open.track(
      createClient<TestRouter>(relay.url, { tcpFallback: app.tcpUrl, retransmit: { random: createSeededRandom(65) } }),
    );

    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => client.probe.big({ chars: BIG_CHARS + i })));

    expect(results.map((result) => result.text.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => BIG_CHARS + i));
    expect(probe.bigExecutions).toBe(8);
    expect(relay.stats.toClient.dropped).toBeGreaterThan(0);
    expect(Math.max(...datagramSizes())).toBeLessThanOrEqual(DEFAULT_MAX_DATAGRAM_BYTES);
    expect(callsBesidesProbes(app.server)).toBe(8);
  });
});

/** Like `setup`, with server options `startTestServer` does not take (reply cache caps). */
async function setupWith(options: Omit<ServerOptions, 'router' | 'logger'>) {
  const probe = createProbe();
  const server = createServer({ ...options, router: createTestRouter(probe), logger: createLogCapture().logger });
  open.track({ close: () => server.close({ graceMs: 0 }) });
  const bound = await server.listen({ udp: { host: '127.0.0.1', port: 0 }, tcp: { host: '127.0.0.1', port: 0 } });
  if (!bound.udp || !bound.tcp) throw new Error('Server did not bind both udp and tcp');
  return {
    probe,
    server,
    udpPort: bound.udp.port,
    udpUrl: `udp://127.0.0.1:${bound.udp.port}`,
    tcpUrl: `tcp://127.0.0.1:${bound.tcp.port}`,
  };
}

// Regression: a TCP fetch of a truncated reply the cache no longer held (larger than the whole
// cache, or evicted by later replies) used to run the non-idempotent handler again. The fetch now
// carries `fetchOnly` and a miss is answered with an error saying the call ran.
describe('a truncated reply the reply cache cannot keep until it is fetched', () => {
  it.each([
    { why: 'it is larger than the whole cache', replyCache: { maxBytes: 16 * 1024 }, calls: 1 },
    { why: 'a later reply evicts it first', replyCache: { maxEntries: 1 }, calls: 2 },
  ])('never makes the TCP fetch run the handler again when $why', async ({ replyCache, calls }) => {
    const { probe, server, udpUrl } = await setupWith({ replyCache });
    const client = open.track(createClient<TestRouter>(udpUrl));

    const outcomes = await Promise.allSettled(
      Array.from({ length: calls }, (_, i) => client.probe.big({ chars: BIG_CHARS + i })),
    );

    expect(probe.bigExecutions).toBe(calls);
    expect(callsBesidesProbes(server)).toBe(calls);
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') expect(outcome.value.text).toHaveLength(BIG_CHARS + i);
      else expect(outcome.reason).toMatchObject({ notExecuted: false });
    }
  });
});

// Regression: each copy of a duplicated truncated answer used to start its own TCP fetch.
describe('a truncated answer that arrives twice', () => {
  it('is fetched over TCP once', async () => {
    const { probe, server, udpPort, tcpUrl } = await setupWith({});
    const relay = open.track(
      await startUdpFaultRelay({ serverPort: udpPort, seed: 1, toClient: { duplicatePercent: 100 } }),
    );
    const client = open.track(createClient<TestRouter>(relay.url, { tcpFallback: tcpUrl }));

    const result = await client.probe.big({ chars: BIG_CHARS });

    expect(result.text).toHaveLength(BIG_CHARS);
    expect(probe.bigExecutions).toBe(1);
    // Every datagram to the client came twice (the truncated answer, and the incarnation probe's reply).
    expect(relay.stats.toClient.duplicated).toBe(relay.stats.toClient.received);
    expect(client.stats.tcpFallbacks).toBe(1);
    expect(server.stats.replyCacheHits).toBe(1);
  });
});

describe('a request too large for a datagram', () => {
  const INPUT = { message: 'z'.repeat(5_000) };

  it('goes over TCP when the server listens on TCP at the same port', async () => {
    const { app } = await setup();
    const client = open.track(createClient<TestRouter>(app.udpUrl));

    await expect(client.echo.echo(INPUT)).resolves.toEqual(INPUT);

    expect(Math.max(...datagramSizes())).toBeLessThanOrEqual(DEFAULT_MAX_DATAGRAM_BYTES);
    expect(callsBesidesProbes(app.server)).toBe(1);
    expect(client.stats.tcpFallbacks).toBe(1);
  });

  it('fails with PAYLOAD_TOO_LARGE, not executed and nothing sent, when the TCP fallback is off', async () => {
    const { app } = await setup();
    const client = open.track(createClient<TestRouter>(app.udpUrl, { tcpFallback: false }));

    const error = await client.echo.echo(INPUT).catch((e: unknown) => e);
    // Datagrams from one socket arrive in order: once this call is answered, an earlier send would have been counted.
    await expect(client.echo.ping()).resolves.toMatchObject({ pong: true });

    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', local: true, notExecuted: true });
    expect(callsBesidesProbes(app.server)).toBe(1);
    expect(datagramSizes().filter((size) => size > DEFAULT_MAX_DATAGRAM_BYTES)).toEqual([]);
    expect(client.stats.tcpFallbacks).toBe(0);
  });
});
