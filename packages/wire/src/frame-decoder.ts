import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES } from './constants.js';
import { RpcError } from './rpc-error.js';

/**
 * Reassembles length-prefixed frames from stream chunks.
 *
 * ```
 *  ┌──────────────┬─────────────────────────┐
 *  │ length: u32be│ payload: `length` bytes │   repeated; a chunk may end anywhere
 *  └──────────────┴─────────────────────────┘
 *   READING_HEADER ──4 bytes──▶ READING_PAYLOAD ──length bytes──▶ emit, READING_HEADER
 * ```
 *
 * Contract: frames are emitted synchronously from `push`, in order. A frame wholly inside one
 * chunk is emitted as a view of that chunk (no copy). A frame that spans chunks is gathered as
 * views of its chunks and copied once, when complete: memory held grows with the bytes actually
 * received, never with the length a peer merely announces (a 4 MiB header followed by silence
 * costs nothing). Lengths are checked against the limit first. After a failure the decoder is
 * dead: the stream is out of sync and must be closed. Chunks must not be reused by the caller
 * (Node's socket chunks are fresh allocations).
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  readonly #onFrame: (payload: Buffer) => unknown;
  readonly #header = Buffer.alloc(FRAME_HEADER_BYTES);
  #headerFilled = 0;
  /** Length of the frame being gathered, or -1 while reading a header. */
  #expected = -1;
  #parts: Buffer[] = [];
  #payloadFilled = 0;
  #failed: RpcError | undefined;
  /** Chunks received but not yet decoded because the consumer asked to stop (backpressure). */
  #held: Buffer[] | undefined;
  #heldBytes = 0;

  /**
   * `onFrame` may return `false` to stop: the rest of the chunk is held, undecoded, until
   * {@link resume}. That is how a reader stops producing work mid-chunk when its writer is
   * congested; a chunk of tiny requests would otherwise all run at once.
   */
  constructor(onFrame: (payload: Buffer) => unknown, maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {
    this.#onFrame = onFrame;
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held for an incomplete frame (header or payload). */
  get bufferedBytes(): number {
    return (this.#expected === -1 ? this.#headerFilled : FRAME_HEADER_BYTES + this.#payloadFilled) + this.#heldBytes;
  }

  /** Feeds a chunk. Returns an error (and stays failed) if a frame length is zero or above the limit. */
  /** True while the consumer has asked to stop and bytes wait for {@link resume}. */
  get paused(): boolean {
    return this.#held !== undefined;
  }

  /** Decodes what was held back when `onFrame` returned false; it may stop again. */
  resume(): RpcError | undefined {
    const held = this.#held;
    if (held === undefined) return undefined;
    this.#held = undefined;
    this.#heldBytes = 0;
    for (let i = 0; i < held.length; i++) {
      const failure = this.push(held[i] as Buffer);
      if (failure) return failure;
      if (this.#held !== undefined) {
        // Stopped again: keep the chunks not yet looked at, in order, behind what was just held.
        for (const rest of held.slice(i + 1)) this.#hold(rest);
        return undefined;
      }
    }
    return undefined;
  }

  push(chunk: Buffer): RpcError | undefined {
    if (this.#failed) return this.#failed;
    if (this.#held !== undefined) {
      this.#hold(chunk);
      return undefined;
    }
    let offset = 0;
    const end = chunk.length;
    while (offset < end) {
      if (this.#expected === -1) {
        // Fast path: a whole header (and maybe the whole frame) inside this chunk.
        let length: number;
        if (this.#headerFilled === 0 && end - offset >= FRAME_HEADER_BYTES) {
          length = chunk.readUInt32BE(offset);
          offset += FRAME_HEADER_BYTES;
        } else {
          const take = Math.min(FRAME_HEADER_BYTES - this.#headerFilled, end - offset);
          chunk.copy(this.#header, this.#headerFilled, offset, offset + take);
          this.#headerFilled += take;
          offset += take;
          if (this.#headerFilled < FRAME_HEADER_BYTES) return undefined;
          this.#headerFilled = 0;
          length = this.#header.readUInt32BE(0);
        }
        const problem = this.#checkLength(length);
        if (problem) return problem;
        if (end - offset >= length) {
          const frame = chunk.subarray(offset, offset + length);
          offset += length;
          if (this.#onFrame(frame) === false && offset < end) {
            this.#hold(chunk.subarray(offset));
            return undefined;
          }
          continue;
        }
        this.#expected = length;
        this.#payloadFilled = 0;
      }
      const take = Math.min(this.#expected - this.#payloadFilled, end - offset);
      this.#parts.push(chunk.subarray(offset, offset + take));
      this.#payloadFilled += take;
      offset += take;
      if (this.#payloadFilled === this.#expected) {
        const payload = Buffer.concat(this.#parts, this.#expected);
        this.#parts = [];
        this.#expected = -1;
        if (this.#onFrame(payload) === false && offset < end) {
          this.#hold(chunk.subarray(offset));
          return undefined;
        }
      }
    }
    return undefined;
  }

  /** Keeps a chunk (a view, no copy) for {@link resume}. */
  #hold(chunk: Buffer): void {
    (this.#held ??= []).push(chunk);
    this.#heldBytes += chunk.length;
  }

  #checkLength(length: number): RpcError | undefined {
    if (length === 0) this.#failed = new RpcError('BAD_REQUEST', 'Frame length is zero', { local: true });
    else if (length > this.#maxFrameBytes) {
      this.#failed = new RpcError(
        'PAYLOAD_TOO_LARGE',
        `Frame of ${length} bytes exceeds the ${this.#maxFrameBytes}-byte limit`,
        {
          local: true,
          data: { length, limit: this.#maxFrameBytes },
        },
      );
    }
    return this.#failed;
  }
}
