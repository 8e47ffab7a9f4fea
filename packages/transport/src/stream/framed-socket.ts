import type { Socket } from 'node:net';
import { FRAME_HEADER_BYTES, FrameDecoder, type RpcError } from '@volley/wire';
import type { TransportStats } from '../types.js';

/** Options for {@link FramedSocket}. */
export interface FramedSocketOptions {
  maxFrameBytes: number;
  stats: TransportStats;
  onFrame(payload: Buffer): void;
  /** Called once, after the socket is fully closed; `reason` set for errors and bad frames. */
  onClose(reason?: Error): void;
}

/**
 * Length-framed messages over one `net.Socket`, for both ends of TCP and Unix connections.
 *
 * Writes are coalesced per event-loop turn: `send` queues, and one `setImmediate` flush gathers
 * every queued frame into a single buffer and a single `write` (one syscall for 64 replies).
 * Backpressure: when the kernel buffer is full, reading pauses until it drains, so a peer that
 * stops reading replies stops getting its requests read instead of growing our memory.
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

  constructor(socket: Socket, options: FramedSocketOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#decoder = new FrameDecoder((payload) => {
      options.stats.messagesIn++;
      options.onFrame(payload);
    }, options.maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => socket.resume());
    socket.on('error', (error) => {
      this.#closeReason ??= error;
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#queue = [];
      options.onClose(this.#closeReason);
    });
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
    if (!this.#flushScheduled) {
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
    const failure = this.#decoder.push(chunk);
    if (failure) this.#failStream(failure);
  }

  #failStream(failure: RpcError): void {
    // The stream is out of sync: nothing after this point can be trusted, so close it.
    this.#closeReason ??= failure;
    this.#socket.pause();
    this.#socket.destroy();
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const queue = this.#queue;
    if (queue.length === 0 || this.#socket.destroyed) return;
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
    if (!this.#socket.write(out)) this.#socket.pause();
  };
}
