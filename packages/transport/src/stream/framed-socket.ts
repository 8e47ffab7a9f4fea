import type { Socket } from 'node:net';
import { FRAME_HEADER_BYTES, type RpcError } from '@volley/wire';
import { FrameDecoder } from '@volley/wire/internal';
import type { TransportStats } from '../types.js';
import { FrameClock } from './frame-clock.js';

/**
 * Most reply bytes one connection may have waiting (queued here plus buffered in the socket)
 * before we stop decoding its requests: a peer that does not read cannot make us hold more
 * than about this much (plus one reply), however fast it writes. 1 MiB is ~250 4 KiB replies.
 */
export const WRITE_HIGH_WATER_BYTES = 1024 * 1024;

/**
 * A turn's frames are written in batches of at most this many frames or bytes, not all at the
 * end of the turn: the peer starts on the first batch while we still produce the rest, so the
 * two ends work in parallel instead of taking turns. Measured with `npm run bench`, 64 calls in
 * flight on one TCP connection (2 vCPU): `add` 127 k → 246 k calls/s with 16 frames per write,
 * 4 KiB echo 55 k → 76 k. Once the client's GC cost was cut (MsgidTable), 32 frames beat 16
 * (345–359 k against 311–369 k calls/s, server CPU 2.3–2.5 against 2.3–2.9 µs per call): fewer
 * syscalls per call, still enough overlap. 4 frames per write was slower than either.
 */
export const MAX_FRAMES_PER_WRITE = 32;
export const MAX_BYTES_PER_WRITE = 64 * 1024;

/** Options for {@link FramedSocket}. */
export interface FramedSocketOptions {
  maxFrameBytes: number;
  stats: TransportStats;
  onFrame(payload: Buffer): void;
  /**
   * Called once, after the socket is fully closed; `reason` set for errors and bad frames, not
   * for a normal close (an idle close is one: whoever agreed to it in `onIdle` has said so).
   */
  onClose(reason?: Error): void;
  /**
   * Slowloris guard: a frame not completed within this many ms of its own first byte closes the
   * connection; time while we hold reading paused (backpressure) is not counted. Off when undefined.
   */
  partialFrameTimeoutMs?: number;
  /**
   * Stop reading while our own writes are backed up (default true): right for a server, where
   * every request read makes a reply to write. A client must pass false: reading replies makes
   * no writes, and a client that stopped reading because its requests were backed up, facing a
   * server that stopped reading because its replies were, would deadlock the connection.
   */
  pauseReadingWhenCongested?: boolean;
  /** After this many ms without a byte either way, `onIdle` decides whether to close. */
  idleTimeoutMs?: number;
  /** Return true to close an idle connection (a server keeps one with calls still running). */
  onIdle?(): boolean;
}

/**
 * Length-framed messages over one `net.Socket`, for both ends of TCP and Unix connections.
 *
 * Writes are coalesced: `send` queues, and a flush gathers queued frames into a single buffer and
 * a single `write`, at the end of the event-loop turn (`setImmediate`) or as soon as
 * {@link MAX_FRAMES_PER_WRITE} frames or {@link MAX_BYTES_PER_WRITE} bytes wait.
 * Backpressure: once more than {@link WRITE_HIGH_WATER_BYTES} of replies wait, decoding stops
 * mid-chunk and reading pauses until the socket drains, so a peer that stops reading replies
 * stops getting its requests run instead of growing our memory.
 */
export class FramedSocket {
  readonly #socket: Socket;
  readonly #options: FramedSocketOptions;
  readonly #decoder: FrameDecoder;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;
  #closed = false;
  #closeReason: Error | undefined;
  /** The slowloris guard's clock; undefined when the guard is off (clients). */
  readonly #clock: FrameClock | undefined;
  /** Frames decoded so far: a change across a read means the frame being timed completed. */
  #framesIn = 0;
  readonly #pauses: boolean;

  constructor(socket: Socket, options: FramedSocketOptions) {
    this.#socket = socket;
    this.#options = options;
    const pauses = options.pauseReadingWhenCongested ?? true;
    this.#pauses = pauses;
    const limit = options.partialFrameTimeoutMs;
    this.#clock =
      limit === undefined
        ? undefined
        : new FrameClock(limit, () => {
            const held = this.#decoder.bufferedBytes;
            this.destroy(
              new Error(
                `Frame not completed within ${limit} ms (${held} bytes received): closing a slow or stalled sender`,
              ),
            );
          });
    this.#decoder = new FrameDecoder((payload) => {
      this.#framesIn++;
      options.stats.messagesIn++;
      options.onFrame(payload);
      // Stop decoding (and reading) once replies we cannot write yet pass the high-water mark.
      if (pauses && this.#congested()) {
        this.#pauseReading();
        return false;
      }
      return true;
    }, options.maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#resumeReading());
    socket.on('error', (error) => {
      this.#closeReason ??= error;
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#queue = [];
      this.#clock?.dispose();
      options.onClose(this.#closeReason);
    });
    if (options.idleTimeoutMs !== undefined) {
      socket.setTimeout(options.idleTimeoutMs);
      socket.on('timeout', () => {
        if (options.onIdle?.() ?? true) this.close();
      });
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues one frame; false when closed or above the frame limit (nothing queued). */
  send(payload: Uint8Array): boolean {
    if (this.#closed || this.#socket.destroyed) return false;
    if (payload.length > this.#options.maxFrameBytes) {
      this.#options.stats.oversizeRefused++;
      return false;
    }
    this.#queue.push(payload);
    this.#queuedBytes += FRAME_HEADER_BYTES + payload.length;
    if (this.#queue.length >= MAX_FRAMES_PER_WRITE || this.#queuedBytes >= MAX_BYTES_PER_WRITE) {
      // Held back reading resumes at the end of the turn (or on 'drain'), never from inside a send.
      this.#writeQueued();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flush);
    }
    return true;
  }

  /** Ends the connection after queued frames are written; `reason` is reported to `onClose`. */
  close(reason?: Error): void {
    if (this.#closed) return;
    if (reason) this.#closeReason ??= reason;
    this.#flush();
    this.#socket.end();
    // A peer that never reads could hold the socket half-open forever.
    setTimeout(() => this.#socket.destroy(), 1000).unref();
  }

  /** Destroys the connection at once, dropping queued frames. */
  destroy(reason?: Error): void {
    if (reason) this.#closeReason ??= reason;
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#options.stats.bytesIn += chunk.length;
    const framesBefore = this.#framesIn;
    const failure = this.#decoder.push(chunk);
    if (failure) {
      this.#failStream(failure);
      return;
    }
    this.#timeFrame(framesBefore);
  }

  /**
   * After a read (or decoding held-back bytes): times the unfinished frame, if any, from its own
   * first byte. A frame completed since `framesBefore` means the unfinished one began in these
   * bytes; otherwise it is the same frame as before, whose clock keeps running.
   */
  #timeFrame(framesBefore: number): void {
    const clock = this.#clock;
    if (clock === undefined) return;
    // Bytes held back undecoded (paused) are timed once decoded, from when reading resumes:
    // they arrived in the read that paused it, and a hold always starts on a frame boundary.
    if (this.#decoder.bufferedBytes === 0 || this.#decoder.paused) clock.stop();
    else if (this.#framesIn !== framesBefore || !clock.timing) clock.startFrame();
  }

  /** Backpressure: stop reading, and stop the slowloris clock, until {@link #resumeReading}. */
  #pauseReading(): void {
    this.#clock?.pause();
    this.#socket.pause();
  }

  /** Replies queued here or in the socket beyond what one peer may make us hold. */
  #congested(): boolean {
    return this.#queuedBytes + this.#socket.writableLength > WRITE_HIGH_WATER_BYTES;
  }

  #resumeReading(): void {
    if (this.#closed || this.#congested()) return;
    // First, so a frame begun in the held bytes is timed from here (and pausing again stops it).
    this.#clock?.resume();
    if (this.#decoder.paused) {
      const framesBefore = this.#framesIn;
      const failure = this.#decoder.resume();
      if (failure) {
        this.#failStream(failure);
        return;
      }
      this.#timeFrame(framesBefore);
    }
    if (!this.#decoder.paused && !this.#congested()) this.#socket.resume();
  }

  #failStream(failure: RpcError): void {
    // The stream is out of sync: nothing after this point can be trusted, so close it.
    this.#closeReason ??= failure;
    this.#socket.pause();
    this.#socket.destroy();
  }

  /** End of the turn: writes what is queued. */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    // The kernel took it all: decode what was held back. Otherwise 'drain' will.
    if (this.#writeQueued()) this.#resumeReading();
  };

  /** Writes every queued frame as one buffer; true when nothing is left waiting for 'drain'. */
  #writeQueued(): boolean {
    const queue = this.#queue;
    if (this.#socket.destroyed) return false;
    if (queue.length === 0) return !this.#socket.writableNeedDrain;
    const out = Buffer.allocUnsafe(this.#queuedBytes);
    let offset = 0;
    for (const payload of queue) {
      out.writeUInt32BE(payload.length, offset);
      out.set(payload, offset + FRAME_HEADER_BYTES);
      offset += FRAME_HEADER_BYTES + payload.length;
    }
    this.#options.stats.messagesOut += queue.length;
    this.#options.stats.bytesOut += out.length;
    this.#queue = [];
    this.#queuedBytes = 0;
    if (this.#socket.write(out)) return true;
    if (this.#pauses) this.#pauseReading();
    return false;
  }
}
