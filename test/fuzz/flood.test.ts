/**
 * Bounded flood of a live server (issue 4, item 7): 100 000 hostile datagrams and 100 000
 * hostile frames, while well-behaved clients keep calling. UDP and TCP are flooded at once on
 * purpose: both transports feed one codec, one call table and one reply cache, and it is their
 * interleaving that a single-transport flood would miss.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createClient, type VolleyClient } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { DEFAULT_MAX_FRAME_BYTES, isRpcError } from '@volley/wire';
import { encodeFrame, encodeFrameHeader } from '@volley/wire/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { createSeededRandom, Resources, waitFor } from '../support/index.js';
import { startFloodServer } from './flood-server.js';
import { connectTcpFlooder, openUdpFlooder, readUdpQueue, type TcpFlooder } from './flood-sockets.js';
import { createHostileTraffic, type HostileTraffic } from './flood-traffic.js';

const SEED = 0x5eed_f100;

const UDP_DATAGRAMS = 100_000;
const UDP_SENDERS = 4;
/** Datagrams sent (over all senders) in one turn of the event loop the server shares. */
const UDP_BURST_DATAGRAMS = 100;
/**
 * Server receive-queue depth (kernel bytes, about 1 KiB per small datagram) above which the
 * flooders wait a turn. With a burst on top it stays under Linux's default 208 KiB receive
 * buffer (doubled by the kernel), so the flood holds even where rmem_max caps the 4 MiB the
 * server asks for.
 */
const UDP_QUEUE_HIGH_WATER_BYTES = 128 * 1024;

const TCP_STEADY_CONNECTIONS = 4;
const TCP_FRAMES_PER_STEADY_CONNECTION = 24_000;
/** Frames gathered into one write: bursts, as a pipelining client sends them. */
const TCP_FRAMES_PER_WRITE = 100;
/** Connections that send frames, then a length the server must refuse, then get closed and reconnect. */
const TCP_BREAKING_CYCLES = 90;
const TCP_FRAMES_BEFORE_BREAK = 50;
/** Connections that announce a large frame, send part of it and vanish (the server must free it). */
const TCP_VANISHING_CYCLES = 30;
const VANISHING_ANNOUNCED_BYTES = 1024 * 1024;
const VANISHING_SENT_BYTES = 64 * 1024;

/** Concurrent loops of calls per well-behaved client: a modest, steady load. */
const GOOD_CALLERS_PER_CLIENT = 4;

/**
 * The server runs in this process, so its RSS is the process's. A run on 2 cores grows it by
 * about 50 MiB (V8 spaces and allocator arenas that stay mapped) with 4 MiB more live heap;
 * 200 MiB leaves room for a busier machine and is still far below what a leak of one reply, log
 * line or decoder buffer per message (200 000 of them) would add.
 */
const RSS_GROWTH_LIMIT_BYTES = 200 * 1024 * 1024;
/** The V8 heap after a full GC: what the server really retains (about 1 KiB per 6 messages at most). */
const HEAP_GROWTH_LIMIT_BYTES = 32 * 1024 * 1024;
/** Paced datagrams the server must read itself rather than lose to a full kernel queue. */
const MIN_UDP_SHARE_READ = 0.9;

const TEST_TIMEOUT_MS = 120_000;
/** Patience for the server to finish reading what was sent (bounds a hang, not a timing check). */
const SETTLE_MS = 20_000;

const open = new Resources();
afterEach(() => open.closeAll());

/** A full garbage collection: `--expose-gc` enabled at run time, so no vitest flag is needed. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

interface GoodCalls {
  succeeded: number;
  failures: string[];
}

/** Calls `echo.add` in `GOOD_CALLERS_PER_CLIENT` loops until `stop()` is true, checking every sum. */
async function callUntil(client: VolleyClient<AppRouter>, stop: () => boolean, tally: GoodCalls): Promise<void> {
  await Promise.all(
    Array.from({ length: GOOD_CALLERS_PER_CLIENT }, async (_, loop) => {
      for (let n = loop; !stop(); n += GOOD_CALLERS_PER_CLIENT) {
        try {
          const { sum } = await client.echo.add({ a: n, b: 0.5 });
          if (sum === n + 0.5) tally.succeeded++;
          else tally.failures.push(`add(${n}, 0.5) answered ${sum}`);
        } catch (error) {
          tally.failures.push(isRpcError(error) ? `${error.code}: ${error.message}` : String(error));
        }
      }
    }),
  );
}

interface FloodTally {
  sent: number;
  malformed: number;
}

async function floodUdp(port: number, traffic: HostileTraffic, tally: FloodTally): Promise<number> {
  const senders = await Promise.all(
    Array.from({ length: UDP_SENDERS }, async () => open.track(await openUdpFlooder(port))),
  );
  while (tally.sent < UDP_DATAGRAMS) {
    // A sender that outpaces the server only tests the kernel's drop counter: hold back while
    // the server's receive queue is deep (where /proc/net/udp exists; elsewhere, bursts only).
    if ((readUdpQueue(port)?.queuedBytes ?? 0) < UDP_QUEUE_HIGH_WATER_BYTES) {
      for (let i = 0; i < UDP_BURST_DATAGRAMS && tally.sent < UDP_DATAGRAMS; i++) {
        const message = traffic.next();
        senders[tally.sent % UDP_SENDERS]?.send(message.bytes);
        tally.sent++;
        if (message.malformed) tally.malformed++;
      }
    }
    await nextTurn();
  }
  await Promise.all(senders.map((sender) => sender.flushed()));
  return senders.reduce((sum, sender) => sum + sender.replies, 0);
}

/** Writes `frames` hostile frames in bursts on one connection. */
async function floodTcpStream(
  socket: TcpFlooder,
  frames: number,
  traffic: HostileTraffic,
  tally: FloodTally,
): Promise<void> {
  for (let written = 0; written < frames; ) {
    const burst: Buffer[] = [];
    for (let i = 0; i < TCP_FRAMES_PER_WRITE && written < frames; i++, written++) {
      const message = traffic.next();
      burst.push(encodeFrame(message.bytes));
      tally.sent++;
      if (message.malformed) tally.malformed++;
    }
    await socket.write(Buffer.concat(burst));
    await nextTurn();
  }
}

/** A length the server must refuse: zero, just over its limit, the largest a header can say. */
const BAD_LENGTHS = [0, DEFAULT_MAX_FRAME_BYTES + 1, 0xffff_ffff];

async function floodTcp(port: number, traffic: HostileTraffic, tally: FloodTally): Promise<number> {
  const steady = await Promise.all(
    Array.from({ length: TCP_STEADY_CONNECTIONS }, async () => open.track(await connectTcpFlooder(port))),
  );
  let breakingReplies = 0;
  const breaking = async () => {
    for (let cycle = 0; cycle < TCP_BREAKING_CYCLES; cycle++) {
      const socket = open.track(await connectTcpFlooder(port));
      await floodTcpStream(socket, TCP_FRAMES_BEFORE_BREAK, traffic, tally);
      await socket.write(encodeFrameHeader(BAD_LENGTHS[cycle % BAD_LENGTHS.length] ?? 0));
      await socket.closed; // The server must close it; a hang here ends in the test timeout.
      breakingReplies += socket.replyFrames;
    }
  };
  const vanishing = async () => {
    for (let cycle = 0; cycle < TCP_VANISHING_CYCLES; cycle++) {
      const socket = open.track(await connectTcpFlooder(port));
      await socket.write(
        Buffer.concat([encodeFrameHeader(VANISHING_ANNOUNCED_BYTES), Buffer.alloc(VANISHING_SENT_BYTES, 0x94)]),
      );
      await nextTurn();
      await socket.close();
    }
  };
  await Promise.all([
    ...steady.map((socket) => floodTcpStream(socket, TCP_FRAMES_PER_STEADY_CONNECTION, traffic, tally)),
    breaking(),
    vanishing(),
  ]);
  expect(steady.filter((socket) => socket.isClosed)).toEqual([]);
  return steady.reduce((sum, socket) => sum + socket.replyFrames, breakingReplies);
}

describe('a bounded flood of hostile datagrams and frames', () => {
  it(
    'leaves the server answering, every good call succeeded, and its memory within bounds',
    async () => {
      const app = open.track(await startFloodServer());
      const udpClient = open.track(createClient<AppRouter>(app.udpUrl));
      const tcpClient = open.track(createClient<AppRouter>(app.tcpUrl));
      await expect(udpClient.echo.add({ a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
      await expect(tcpClient.echo.add({ a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
      collectGarbage();
      const before = process.memoryUsage();
      const started = performance.now();

      const random = createSeededRandom(SEED);
      const udpTraffic = createHostileTraffic(random);
      const tcpTraffic = createHostileTraffic(random);
      const udp: FloodTally = { sent: 0, malformed: 0 };
      const tcp: FloodTally = { sent: 0, malformed: 0 };
      const goodUdp: GoodCalls = { succeeded: 0, failures: [] };
      const goodTcp: GoodCalls = { succeeded: 0, failures: [] };
      let flooding = true;
      const good = Promise.all([
        callUntil(udpClient, () => !flooding, goodUdp),
        callUntil(tcpClient, () => !flooding, goodTcp),
      ]);
      const [udpReplies, tcpReplies] = await Promise.all([
        floodUdp(app.udpPort, udpTraffic, udp),
        floodTcp(app.tcpPort, tcpTraffic, tcp),
      ]).finally(() => {
        flooding = false;
      });
      await good;
      const floodMs = performance.now() - started;

      // Let the server get through what is still queued: every frame, and datagrams the kernel kept.
      // A timeout is not an error here: the exact counts asserted below then say what is missing.
      const malformedFrames = () => app.server.stats.malformed - app.server.stats.malformedDatagrams;
      await waitFor(() => malformedFrames() >= tcp.malformed, { timeoutMs: SETTLE_MS }).catch(() => {});
      await waitFor(() => (readUdpQueue(app.udpPort)?.queuedBytes ?? 0) === 0, { timeoutMs: SETTLE_MS }).catch(
        () => {},
      );
      const udpQueue = readUdpQueue(app.udpPort);
      const udpMalformedRead = app.server.stats.malformedDatagrams;

      // The server is still answering, over both transports and to a fresh client.
      const fresh = open.track(createClient<AppRouter>(app.udpUrl));
      await expect(fresh.echo.echo({ message: 'after the flood' })).resolves.toEqual({ message: 'after the flood' });
      await expect(tcpClient.echo.add({ a: 2, b: 3 })).resolves.toEqual({ sum: 5 });

      collectGarbage();
      const after = process.memoryUsage();
      const figures = {
        floodMs: Math.round(floodMs),
        udp: {
          ...udp,
          ...udpTraffic.counts,
          malformedRead: udpMalformedRead,
          kernelDrops: udpQueue?.drops,
          replies: udpReplies,
        },
        tcp: { ...tcp, ...tcpTraffic.counts, replies: tcpReplies, brokenStreams: app.server.stats.brokenStreams },
        goodCalls: { udp: goodUdp.succeeded, tcp: goodTcp.succeeded },
        rssGrowthMiB: (after.rss - before.rss) / 2 ** 20,
        heapGrowthMiB: (after.heapUsed - before.heapUsed) / 2 ** 20,
        stats: app.server.stats,
      };
      console.info('flood figures', JSON.stringify(figures));

      expect(udp.sent).toBeGreaterThanOrEqual(100_000);
      expect(tcp.sent).toBeGreaterThanOrEqual(100_000);
      expect(goodUdp.failures).toEqual([]);
      expect(goodTcp.failures).toEqual([]);
      expect(goodUdp.succeeded).toBeGreaterThan(0);
      expect(goodTcp.succeeded).toBeGreaterThan(0);
      // Nothing a peer sent reached a code path that logs at error (a bug of ours, an INTERNAL).
      expect(app.logs.errorLines).toEqual([]);
      // Every malformed frame was read and answered as such; none broke its stream.
      expect(malformedFrames()).toBe(tcp.malformed);
      // Issue 13, item 5: counted every time, logged once per transport per 10 s window (it was
      // one warn line per envelope: 98 118 lines for 100 000 datagrams).
      const windows = Math.ceil((performance.now() - started) / 10_000) + 1;
      expect(app.logs.count('malformed envelope', 'tcp')).toBeLessThanOrEqual(windows);
      expect(app.logs.count('malformed envelope', 'udp')).toBeLessThanOrEqual(windows);
      // Each refused length closed its connection as broken (vanishing peers may count too, by a reset).
      expect(app.server.stats.brokenStreams).toBeGreaterThanOrEqual(TCP_BREAKING_CYCLES);
      expect(app.server.stats.brokenStreams).toBeLessThanOrEqual(TCP_BREAKING_CYCLES + TCP_VANISHING_CYCLES);
      // The kernel may drop datagrams; where the flood could be paced, the server read nearly all.
      expect(udpMalformedRead).toBeLessThanOrEqual(udp.malformed);
      if (udpQueue !== undefined) expect(udpMalformedRead).toBeGreaterThanOrEqual(udp.malformed * MIN_UDP_SHARE_READ);
      expect(after.rss - before.rss).toBeLessThan(RSS_GROWTH_LIMIT_BYTES);
      expect(after.heapUsed - before.heapUsed).toBeLessThan(HEAP_GROWTH_LIMIT_BYTES);
    },
    TEST_TIMEOUT_MS,
  );
});
