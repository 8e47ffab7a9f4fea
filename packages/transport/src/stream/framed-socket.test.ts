import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder } from '@volley/wire/internal';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTransportStats } from '../stats.js';
import { FramedSocket, MAX_BYTES_PER_WRITE, MAX_FRAMES_PER_WRITE, WRITE_HIGH_WATER_BYTES } from './framed-socket.js';

const open: Array<Server | Socket> = [];

afterEach(async () => {
  vi.useRealTimers();
  // Sockets first: a server closes only once its connections are gone.
  for (const handle of open.splice(0).reverse()) {
    if ('destroy' in handle) handle.destroy();
    else await new Promise((resolve) => handle.close(resolve));
  }
});

/** A FramedSocket on a real loopback connection, its `write` calls counted, and the frames the peer decodes. */
async function framedPair() {
  const received: Buffer[] = [];
  const server = createServer((peer) => {
    open.push(peer);
    const decoder = new FrameDecoder((frame) => {
      received.push(Buffer.from(frame));
    });
    peer.on('data', (chunk: Buffer) => decoder.push(chunk));
  });
  open.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const socket = connect({ host: '127.0.0.1', port });
  open.push(socket);
  await once(socket, 'connect');
  const writes: number[] = [];
  const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
  socket.write = ((chunk: Buffer) => {
    writes.push(chunk.length);
    return write(chunk);
  }) as typeof socket.write;
  const framed = new FramedSocket(socket, {
    maxFrameBytes: 1 << 20,
    stats: createTransportStats(),
    onFrame: () => {},
    onClose: () => {},
    pauseReadingWhenCongested: false,
  });
  return { framed, writes, received };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('FramedSocket write batching', () => {
  it('holds a few frames until the end of the turn, then writes them at once', async () => {
    const { framed, writes, received } = await framedPair();
    for (let i = 0; i < 5; i++) framed.send(Buffer.from([i]));
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual([5 * 5]);
    await expect.poll(() => received.length).toBe(5);
  });

  it(`writes every ${MAX_FRAMES_PER_WRITE} frames without waiting for the turn to end, in order`, async () => {
    const { framed, writes, received } = await framedPair();
    const count = 2 * MAX_FRAMES_PER_WRITE + 8;
    for (let i = 0; i < count; i++) framed.send(Buffer.from([i]));
    // The peer can start on the first batches while this end is still producing.
    expect(writes).toEqual([MAX_FRAMES_PER_WRITE * 5, MAX_FRAMES_PER_WRITE * 5]);
    await turn();
    expect(writes).toEqual([MAX_FRAMES_PER_WRITE * 5, MAX_FRAMES_PER_WRITE * 5, 8 * 5]);
    await expect.poll(() => received.length).toBe(count);
    expect(received.map((frame) => frame[0])).toEqual([...Array(count).keys()]);
  });

  it(`writes once ${MAX_BYTES_PER_WRITE / 1024} KiB wait, however few frames`, async () => {
    const { framed, writes, received } = await framedPair();
    framed.send(Buffer.alloc(100));
    framed.send(Buffer.alloc(MAX_BYTES_PER_WRITE));
    expect(writes).toEqual([104 + MAX_BYTES_PER_WRITE + 4]);
    framed.send(Buffer.alloc(10));
    await turn();
    expect(writes).toEqual([104 + MAX_BYTES_PER_WRITE + 4, 14]);
    await expect.poll(() => received.map((frame) => frame.length)).toEqual([100, MAX_BYTES_PER_WRITE, 10]);
  });
});

const LIMIT_MS = 1_000;

/**
 * Resolves once `condition` holds, polling on a real interval: `expect.poll` waits with
 * `setTimeout`, which these tests fake, and so would move the clock under test.
 */
function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (!condition()) return;
      clearInterval(poll);
      resolve();
    }, 1);
  });
}

/**
 * A server-side FramedSocket (slowloris guard at {@link LIMIT_MS}, pausing when congested) on a
 * real loopback connection, and the raw client socket talking to it.
 */
async function guardedPair() {
  const stats = createTransportStats();
  const frames: Buffer[] = [];
  const closes: Array<Error | undefined> = [];
  const server = createServer();
  open.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = connect({ host: '127.0.0.1', port });
  open.push(client);
  const [accepted] = (await once(server, 'connection')) as [Socket];
  open.push(accepted);
  const framed = new FramedSocket(accepted, {
    maxFrameBytes: 16 << 20,
    stats,
    partialFrameTimeoutMs: LIMIT_MS,
    onFrame: (payload) => void frames.push(Buffer.from(payload)),
    onClose: (reason) => void closes.push(reason),
  });
  /** Writes `bytes` from the client and resolves once the server has read them (or closed). */
  const deliver = async (bytes: Buffer) => {
    const target = stats.bytesIn + bytes.length;
    client.write(bytes);
    await until(() => stats.bytesIn >= target || closes.length > 0);
  };
  /**
   * Makes the server hold its reading paused: the client stops reading, and the server queues
   * replies until the kernel buffers are full and more than the high-water mark waits.
   */
  const congest = () => {
    client.pause();
    for (let i = 0; i < 64 && accepted.writableLength <= WRITE_HIGH_WATER_BYTES; i++)
      framed.send(Buffer.alloc(1 << 20));
    expect(accepted.writableLength).toBeGreaterThan(WRITE_HIGH_WATER_BYTES);
    expect(accepted.isPaused()).toBe(true);
  };
  /** The client reads again; resolves once the server has drained and resumed reading. */
  const relieve = async () => {
    client.resume();
    await until(() => !accepted.isPaused() || closes.length > 0);
  };
  return { framed, frames, closes, deliver, congest, relieve };
}

describe('FramedSocket slowloris guard under backpressure', () => {
  it('does not count time the server held reading paused against a frame', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { frames, closes, deliver, congest, relieve } = await guardedPair();
    const frame = encodeFrame(Buffer.alloc(1000, 7));
    await deliver(frame.subarray(0, 500));
    vi.advanceTimersByTime(0.6 * LIMIT_MS);

    congest();
    vi.advanceTimersByTime(5 * LIMIT_MS);
    await relieve();
    expect(closes).toEqual([]);
    await deliver(frame.subarray(500));

    expect(frames.map((payload) => payload.length)).toEqual([1000]);
    expect(closes).toEqual([]);
  });

  it('leaves a paused frame the budget it had left when reading paused', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { closes, deliver, congest, relieve } = await guardedPair();
    const frame = encodeFrame(Buffer.alloc(1000, 7));
    await deliver(frame.subarray(0, 500));
    vi.advanceTimersByTime(0.6 * LIMIT_MS);
    congest();
    vi.advanceTimersByTime(5 * LIMIT_MS);
    await relieve();

    vi.advanceTimersByTime(0.4 * LIMIT_MS - 1);
    await deliver(frame.subarray(500, 501));
    expect(closes).toEqual([]);
    vi.advanceTimersByTime(1);
    await until(() => closes.length === 1);

    expect(closes[0]?.message).toBe(
      `Frame not completed within ${LIMIT_MS} ms (501 bytes received): closing a slow or stalled sender`,
    );
  });
});
