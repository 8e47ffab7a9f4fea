import type { Socket } from 'node:net';

const HEADER_BYTES = 4;

/**
 * The smallest correct length-framed socket: a header/payload state machine that emits frames
 * wholly inside a chunk as views (no copy), and writes coalesced per event-loop turn: `send`
 * queues, one `setImmediate` joins the queue into one buffer and one `write`.
 *
 * No frame limit and no backpressure handling: a baseline for a trusted loopback peer only.
 */
export class RawFramedSocket {
  readonly #socket: Socket;
  readonly #onFrame: (payload: Buffer) => void;
  /** Chunks of a frame not yet complete, and their total length. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;

  constructor(socket: Socket, onFrame: (payload: Buffer) => void) {
    this.#socket = socket;
    this.#onFrame = onFrame;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
  }

  /** Queues one frame for the next flush. */
  send(payload: Uint8Array): void {
    this.#queue.push(payload);
    this.#queuedBytes += HEADER_BYTES + payload.length;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flush);
    }
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    let data = chunk;
    if (this.#partialBytes > 0) {
      // A frame split across chunks (large frames): join once it is complete, not on every chunk,
      // which would copy a 1 MiB frame ~16 times (quadratic) and make the baseline no floor.
      this.#partial.push(chunk);
      this.#partialBytes += chunk.length;
      if (this.#partialBytes < HEADER_BYTES) return;
      const head = this.#partial[0] as Buffer;
      const length = head.length >= HEADER_BYTES ? head.readUInt32BE(0) : Buffer.concat(this.#partial).readUInt32BE(0);
      if (this.#partialBytes < HEADER_BYTES + length) return;
      data = Buffer.concat(this.#partial, this.#partialBytes);
      this.#partial = [];
      this.#partialBytes = 0;
    }
    let offset = 0;
    while (data.length - offset >= HEADER_BYTES) {
      const length = data.readUInt32BE(offset);
      if (data.length - offset - HEADER_BYTES < length) break;
      this.#onFrame(data.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length));
      offset += HEADER_BYTES + length;
    }
    if (offset < data.length) {
      this.#partial = [data.subarray(offset)];
      this.#partialBytes = data.length - offset;
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const queue = this.#queue;
    if (queue.length === 0 || this.#socket.destroyed) return;
    const out = Buffer.allocUnsafe(this.#queuedBytes);
    let offset = 0;
    for (const payload of queue) {
      out.writeUInt32BE(payload.length, offset);
      out.set(payload, offset + HEADER_BYTES);
      offset += HEADER_BYTES + payload.length;
    }
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#socket.write(out);
  };
}
