/**
 * Property tests of the stream frame decoder (issue 4, item 7): any bytes, cut into chunks
 * anywhere, either yield frames or a typed failure; valid streams come out intact whatever the
 * chunking; and memory follows the bytes that arrived, never the length a peer announces. A small
 * limit makes "above the limit" cheap to reach. Fixed seeds keep CI deterministic.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { FRAME_HEADER_BYTES } from './constants.js';
import { FrameDecoder } from './frame-decoder.js';
import { encodeFrame, encodeFrameHeader } from './frame-encoder.js';
import { isRpcError, type RpcError } from './rpc-error.js';

const SEED = 42;
const LIMIT_BYTES = 4096;
const NUM_RUNS = 1_000;

// ── Allocation spies ──────────────────────────────────────────────────────────────────────────

/**
 * Sizes of every Buffer the decoder allocates while `push` runs (the test's own buffers are built
 * outside `push`). `concat` is counted at its total; it also allocates through `allocUnsafe`.
 */
let recording = false;
let allocations: number[] = [];
const spies: MockInstance[] = [];

function recordSize(size: unknown): void {
  if (recording) allocations.push(typeof size === 'number' ? size : Number.NaN);
}

beforeAll(() => {
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
    const original = Buffer[name];
    spies.push(
      vi.spyOn(Buffer, name).mockImplementation(((size: number, ...rest: unknown[]) => {
        recordSize(size);
        return (original as (...args: unknown[]) => Buffer)(size, ...rest);
      }) as never),
    );
  }
  const concat = Buffer.concat;
  spies.push(
    vi.spyOn(Buffer, 'concat').mockImplementation((list, totalLength) => {
      recordSize(totalLength ?? list.reduce((sum, part) => sum + part.length, 0));
      return concat(list, totalLength);
    }),
  );
});
afterAll(() => {
  for (const spy of spies) spy.mockRestore();
});

interface Run {
  frames: Buffer[];
  /** What each push returned, in order. */
  results: (RpcError | undefined)[];
  /** Largest `bufferedBytes` seen after any push. */
  maxBuffered: number;
  finalBuffered: number;
}

/** Pushes chunks through a fresh decoder; fails the property if `push` throws. */
function feed(chunks: readonly Buffer[], limit = LIMIT_BYTES): Run {
  const frames: Buffer[] = [];
  const results: (RpcError | undefined)[] = [];
  // Chunks are never reused, so keeping views of them (as the decoder hands out) is sound.
  const decoder = new FrameDecoder((payload) => frames.push(payload), limit);
  let maxBuffered = 0;
  allocations = [];
  for (const chunk of chunks) {
    recording = true;
    try {
      results.push(decoder.push(chunk));
    } catch (thrown) {
      throw new Error(`push threw ${String(thrown)}`, { cause: thrown });
    } finally {
      recording = false;
    }
    maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
  }
  return { frames, results, maxBuffered, finalBuffered: decoder.bufferedBytes };
}

/** Asserts the memory contract that holds for every input. */
function expectBoundedMemory(run: Run, limit = LIMIT_BYTES): void {
  expect(allocations.every((size) => size <= limit)).toBe(true);
  expect(run.maxBuffered).toBeLessThanOrEqual(limit + FRAME_HEADER_BYTES);
}

// ── Arbitraries ──────────────────────────────────────────────────────────────────────────────

/** Cuts `stream` at arbitrary offsets into fresh chunks (as sockets deliver them); empty chunks included. */
function chunked(stream: Buffer): fc.Arbitrary<Buffer[]> {
  return fc
    .oneof(
      { weight: 5, arbitrary: fc.array(fc.nat({ max: stream.length }), { maxLength: 40 }) },
      { weight: 1, arbitrary: fc.constant(Array.from({ length: stream.length + 1 }, (_, i) => i)) }, // byte by byte
    )
    .map((cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
      const chunks: Buffer[] = [];
      for (let i = 1; i < points.length; i++) chunks.push(Buffer.from(stream.subarray(points[i - 1], points[i])));
      return chunks;
    });
}

const payload = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: LIMIT_BYTES }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: LIMIT_BYTES - 2, max: LIMIT_BYTES }).map((n) => new Uint8Array(n).fill(7)),
  },
);
const validFrames = fc.array(payload, { maxLength: 12 });

/** A length header the decoder must refuse, and the code it must refuse it with. */
const badLength = fc.oneof(
  fc.constant({ length: 0, code: 'BAD_REQUEST' }),
  fc.integer({ min: LIMIT_BYTES + 1, max: 0xffff_ffff }).map((length) => ({ length, code: 'PAYLOAD_TOO_LARGE' })),
  fc.constantFrom(LIMIT_BYTES + 1, 0xffff_ffff).map((length) => ({ length, code: 'PAYLOAD_TOO_LARGE' })),
);

/** Pieces of a hostile stream: good frames, headers of any length (most small), stray bytes. */
const piece: fc.Arbitrary<Uint8Array> = fc.oneof(
  payload.map((p) => encodeFrame(p)),
  fc.constantFrom(0, 1, LIMIT_BYTES, LIMIT_BYTES + 1).map((n) => encodeFrameHeader(n)),
  fc.integer({ min: 0, max: LIMIT_BYTES * 2 }).map((n) => encodeFrameHeader(n)),
  fc.integer({ min: 0, max: 0xffff_ffff }).map((n) => encodeFrameHeader(n)),
  fc.uint8Array({ maxLength: 64 }),
);
const hostileStream = fc.array(piece, { maxLength: 16 }).map((pieces) => Buffer.concat(pieces));

describe('FrameDecoder under arbitrary chunking', () => {
  it('emits exactly the encoded payloads of a valid stream however it is chunked', () => {
    const stream = validFrames.chain((payloads) =>
      fc.tuple(fc.constant(payloads), chunked(Buffer.concat(payloads.map((p) => encodeFrame(p))))),
    );
    fc.assert(
      fc.property(stream, ([payloads, chunks]) => {
        const run = feed(chunks);
        expect(run.results.every((result) => result === undefined)).toBe(true);
        expect(run.frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(
          payloads.map((p) => Buffer.from(p).toString('hex')),
        );
        expect(run.finalBuffered).toBe(0);
        expectBoundedMemory(run);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  it('emits the frames before a zero or oversized length, then fails with its code and stays failed', () => {
    const stream = fc
      .tuple(validFrames, badLength, fc.uint8Array({ maxLength: 256 }))
      .chain(([payloads, bad, tail]) => {
        const bytes = Buffer.concat([...payloads.map((p) => encodeFrame(p)), encodeFrameHeader(bad.length), tail]);
        return fc.tuple(fc.constant(payloads), fc.constant(bad.code), chunked(bytes));
      });
    fc.assert(
      fc.property(stream, ([payloads, code, chunks]) => {
        const run = feed(chunks);
        const firstFailure = run.results.findIndex((result) => result !== undefined);
        const failure = run.results[firstFailure];
        expect(failure?.code).toBe(code);
        expect(failure?.local).toBe(true);
        // Every later push answers with the same error: the stream is out of sync for good.
        expect(run.results.slice(firstFailure).every((result) => result === failure)).toBe(true);
        expect(run.frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(
          payloads.map((p) => Buffer.from(p).toString('hex')),
        );
        expectBoundedMemory(run);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  it('answers hostile streams with frames or a typed failure, and never emits more bytes than it received', () => {
    fc.assert(
      fc.property(hostileStream.chain(chunked), (chunks) => {
        const run = feed(chunks);
        const firstFailure = run.results.findIndex((result) => result !== undefined);
        if (firstFailure !== -1) {
          const failure = run.results[firstFailure];
          expect(isRpcError(failure)).toBe(true);
          expect(['BAD_REQUEST', 'PAYLOAD_TOO_LARGE']).toContain(failure?.code);
          expect(run.results.slice(firstFailure).every((result) => result === failure)).toBe(true);
        }
        expect(run.frames.every((f) => f.length >= 1 && f.length <= LIMIT_BYTES)).toBe(true);
        const pushed = chunks.reduce((sum, c) => sum + c.length, 0);
        const accounted = run.frames.reduce((sum, f) => sum + FRAME_HEADER_BYTES + f.length, 0) + run.finalBuffered;
        expect(accounted).toBeLessThanOrEqual(pushed);
        expectBoundedMemory(run);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  it('answers fully random bytes the same way', () => {
    fc.assert(
      fc.property(
        fc
          .uint8Array({ maxLength: 2048 })
          .map((b) => Buffer.from(b))
          .chain(chunked),
        (chunks) => {
          const run = feed(chunks);
          expect(
            run.results.every(
              (result) => result === undefined || ['BAD_REQUEST', 'PAYLOAD_TOO_LARGE'].includes(result.code),
            ),
          ).toBe(true);
          expectBoundedMemory(run);
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });
});

// ── Backpressure: `onFrame` returning false holds the rest of the chunk until `resume()` ─────

interface PausedRun extends Run {
  /** Largest `bufferedBytes` seen while not paused. */
  maxBufferedRunning: number;
  /** True when every paused state held no more than the chunk just pushed. */
  heldWithinChunk: boolean;
}

/**
 * Feeds chunks to a consumer that asks to stop at the frames `stops` marks (cycled), resuming
 * as a socket does: never pushing while paused, resuming (perhaps repeatedly) until it runs.
 * With `pushWhilePaused`, chunks are pushed while paused too and only resumed at the end.
 */
function feedWithPauses(chunks: readonly Buffer[], stops: readonly boolean[], pushWhilePaused = false): PausedRun {
  const frames: Buffer[] = [];
  const results: (RpcError | undefined)[] = [];
  const decoder = new FrameDecoder((payload) => {
    frames.push(payload);
    return stops.length === 0 || !stops[frames.length % stops.length];
  }, LIMIT_BYTES);
  let maxBuffered = 0;
  let maxBufferedRunning = 0;
  let heldWithinChunk = true;
  allocations = [];
  const observe = (chunkLength: number) => {
    maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
    if (!decoder.paused) maxBufferedRunning = Math.max(maxBufferedRunning, decoder.bufferedBytes);
    else if (decoder.bufferedBytes > chunkLength) heldWithinChunk = false;
  };
  const step = (action: () => RpcError | undefined, chunkLength: number) => {
    recording = true;
    try {
      results.push(action());
    } catch (thrown) {
      throw new Error(`push or resume threw ${String(thrown)}`, { cause: thrown });
    } finally {
      recording = false;
    }
    observe(chunkLength);
  };
  for (const chunk of chunks) {
    step(() => decoder.push(chunk), chunk.length);
    while (!pushWhilePaused && decoder.paused) step(() => decoder.resume(), chunk.length);
  }
  while (decoder.paused) step(() => decoder.resume(), Number.POSITIVE_INFINITY);
  return { frames, results, maxBuffered, finalBuffered: decoder.bufferedBytes, maxBufferedRunning, heldWithinChunk };
}

const validStreamWithStops = fc
  .tuple(validFrames, fc.array(fc.boolean(), { maxLength: 8 }))
  .chain(([payloads, stops]) =>
    fc.tuple(fc.constant(payloads), fc.constant(stops), chunked(Buffer.concat(payloads.map((p) => encodeFrame(p))))),
  );

describe('FrameDecoder under backpressure', () => {
  it('emits exactly the encoded payloads whichever frames ask it to stop, resumed as a socket resumes', () => {
    fc.assert(
      fc.property(validStreamWithStops, ([payloads, stops, chunks]) => {
        const run = feedWithPauses(chunks, stops);
        expect(run.results.every((result) => result === undefined)).toBe(true);
        expect(run.frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(
          payloads.map((p) => Buffer.from(p).toString('hex')),
        );
        expect(run.finalBuffered).toBe(0);
        // Holding back allocates nothing: what waits is a view of the chunk that was pushed.
        expect(allocations.every((size) => size <= LIMIT_BYTES)).toBe(true);
        expect(run.maxBufferedRunning).toBeLessThanOrEqual(LIMIT_BYTES + FRAME_HEADER_BYTES);
        expect(run.heldWithinChunk).toBe(true);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  it('emits exactly the encoded payloads when chunks keep coming while it is stopped', () => {
    fc.assert(
      fc.property(validStreamWithStops, ([payloads, stops, chunks]) => {
        const run = feedWithPauses(chunks, stops, true);
        expect(run.results.every((result) => result === undefined)).toBe(true);
        expect(run.frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(
          payloads.map((p) => Buffer.from(p).toString('hex')),
        );
        expect(run.finalBuffered).toBe(0);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  it('answers hostile streams with frames or a typed failure whichever frames ask it to stop', () => {
    const stream = fc.tuple(hostileStream.chain(chunked), fc.array(fc.boolean(), { maxLength: 8 }), fc.boolean());
    fc.assert(
      fc.property(stream, ([chunks, stops, pushWhilePaused]) => {
        const run = feedWithPauses(chunks, stops, pushWhilePaused);
        expect(
          run.results.every(
            (result) => result === undefined || ['BAD_REQUEST', 'PAYLOAD_TOO_LARGE'].includes(result.code),
          ),
        ).toBe(true);
        expect(run.frames.every((f) => f.length >= 1 && f.length <= LIMIT_BYTES)).toBe(true);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  // Regression guard: `push` while stopped once did `held = Buffer.concat([held, chunk])`, so each
  // chunk copied everything held so far: an allocation past the frame limit, growing without
  // bound, and quadratic copying. Held chunks are now kept as a list of views.
  it('allocates no more than the frame limit when chunks keep coming while it is stopped', () => {
    fc.assert(
      fc.property(validStreamWithStops, ([, stops, chunks]) => {
        feedWithPauses(chunks, stops, true);
        expect(allocations.every((size) => size <= LIMIT_BYTES)).toBe(true);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });
});

describe('FrameDecoder memory', () => {
  it('holds only the bytes that arrived of an announced frame, allocating nothing until it is complete', () => {
    const partial = fc
      .tuple(fc.integer({ min: 2, max: LIMIT_BYTES }), fc.nat())
      .map(([length, arrived]) => ({ length, arrived: arrived % length }))
      .chain(({ length, arrived }) =>
        fc.tuple(fc.constant(arrived), chunked(Buffer.concat([encodeFrameHeader(length), Buffer.alloc(arrived, 1)]))),
      );
    fc.assert(
      fc.property(partial, ([arrived, chunks]) => {
        const run = feed(chunks);
        expect(run.frames).toEqual([]);
        expect(run.finalBuffered).toBe(FRAME_HEADER_BYTES + arrived);
        expect(allocations).toEqual([]);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  it('refuses an announced length above the limit without allocating, however the header is split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: LIMIT_BYTES + 1, max: 0xffff_ffff }).chain((length) => chunked(encodeFrameHeader(length))),
        (chunks) => {
          const run = feed(chunks);
          expect(run.results.at(-1)?.code).toBe('PAYLOAD_TOO_LARGE');
          expect(allocations).toEqual([]);
          expect(run.finalBuffered).toBe(0);
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });
});
