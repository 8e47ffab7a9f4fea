/**
 * Issue 13, item 3: the slowloris guard times each frame from its own first byte. Before, its
 * clock was cleared only when a read ended on a frame boundary, so a healthy client streaming
 * frames back to back was cut `partialFrameTimeoutMs` after its first partial byte.
 *
 * Real sockets; the guard's clock (setTimeout, performance.now) runs under fake timers, advanced
 * only once the server has read what was written, so no test waits on wall-clock time.
 */
import { createTcpTransport } from '@volley/transport';
import { encodeFrame } from '@volley/wire/internal';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectRawTcp, Resources, waitFor } from '../support/index.js';

const LIMIT_MS = 1_000;
const FRAME_PAYLOAD_BYTES = 1_000;

const open = new Resources();
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
});
afterEach(async () => {
  vi.useRealTimers();
  await open.closeAll();
});

/** A TCP listener with the guard at {@link LIMIT_MS}, and a raw client whose writes can be awaited. */
async function connect() {
  const transport = open.track(createTcpTransport({ partialFrameTimeoutMs: LIMIT_MS }));
  const frames: Buffer[] = [];
  const closes: Array<Error | undefined> = [];
  const bound = await transport.listen({
    onMessage: (message) => void frames.push(Buffer.from(message)),
    onChannelClose: (_channel, reason) => void closes.push(reason),
  });
  const raw = open.track(await connectRawTcp(bound.port));
  /** Writes `bytes` and resolves once the server has read them (or the connection closed). */
  const deliver = async (bytes: Buffer) => {
    const target = transport.stats.bytesIn + bytes.length;
    raw.write(bytes);
    await waitFor(() => transport.stats.bytesIn >= target || closes.length > 0, {
      what: 'the server to read the bytes',
    });
  };
  return { raw, frames, closes, deliver };
}

/** `count` frames of {@link FRAME_PAYLOAD_BYTES} each, the i-th filled with byte i, back to back. */
function frameStream(count: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, (_, i) => encodeFrame(Buffer.alloc(FRAME_PAYLOAD_BYTES, i))));
}

describe('the partial-frame clock', () => {
  it('keeps a sender streaming frames back to back, each completed in time, for longer than the limit', async () => {
    const { raw, frames, closes, deliver } = await connect();
    const stream = frameStream(5);
    const frameBytes = stream.length / 5;
    // Every read ends half way through a frame: the server never sees a frame boundary at a read's end.
    const cuts = [frameBytes / 2, ...Array.from({ length: 5 }, (_, i) => (i + 1) * frameBytes + frameBytes / 2)].filter(
      (at) => at < stream.length,
    );

    let from = 0;
    for (const at of [...cuts, stream.length]) {
      await deliver(stream.subarray(from, at));
      from = at;
      // Each frame spans two reads 0.6 limits apart; the whole stream takes 3 limits.
      vi.advanceTimersByTime(0.6 * LIMIT_MS);
    }
    await waitFor(() => frames.length === 5 || closes.length > 0, { what: 'all five frames' });

    expect(closes).toEqual([]);
    expect(frames.map((frame) => frame[0])).toEqual([0, 1, 2, 3, 4]);
    expect(raw.isClosed).toBe(false);
  });

  it('still closes a sender whose frame stalls, the limit counted from that frame’s first byte', async () => {
    const { raw, closes, deliver } = await connect();
    const stream = frameStream(2);
    const frameBytes = stream.length / 2;
    await deliver(stream.subarray(0, 500));
    vi.advanceTimersByTime(0.6 * LIMIT_MS);
    // The first frame completes; the second begins in the same read, and its clock starts here.
    await deliver(stream.subarray(500, frameBytes + 500));
    vi.advanceTimersByTime(LIMIT_MS - 1);
    // A trickle does not buy the stalled frame more time.
    await deliver(stream.subarray(frameBytes + 500, frameBytes + 501));
    expect(closes).toEqual([]);

    vi.advanceTimersByTime(1);
    await raw.closed;
    await waitFor(() => closes.length === 1, { what: 'the server to report the close' });

    expect(closes[0]?.message).toBe(
      `Frame not completed within ${LIMIT_MS} ms (501 bytes received): closing a slow or stalled sender`,
    );
  });
});
