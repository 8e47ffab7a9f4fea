import type { Channel } from '@volley/transport';
import { type Codec, type Envelope, KIND, RpcError } from '@volley/wire';
import type { Logger } from 'pino';
import type { ServerStats } from './server-stats.js';

/** Message length kept when an error reply must shrink to fit: ~250 bytes in all, under any datagram limit. */
const MAX_FALLBACK_MESSAGE_CHARS = 200;

/**
 * Encodes and sends replies, making sure nothing unsendable is attempted: a result that cannot
 * be encoded becomes `INTERNAL`, one too large for the channel becomes `PAYLOAD_TOO_LARGE`.
 */
export class ReplySender {
  readonly #codec: Codec;
  readonly #logger: Logger;
  readonly #stats: ServerStats;

  constructor(codec: Codec, logger: Logger, stats: ServerStats) {
    this.#codec = codec;
    this.#logger = logger;
    this.#stats = stats;
  }

  sendResult(channel: Channel, id: number, result: unknown): void {
    let bytes: Buffer;
    try {
      bytes = this.#codec.encode({ kind: KIND.response, id, result });
    } catch (cause) {
      this.#logger.error({ err: cause, id, peer: channel.peer }, 'result could not be encoded as MessagePack');
      this.sendError(channel, id, new RpcError('INTERNAL', 'Internal server error'));
      return;
    }
    if (bytes.length > channel.maxMessageBytes) {
      this.#stats.oversizeReplies++;
      this.#logger.warn({ id, peer: channel.peer, bytes: bytes.length, limit: channel.maxMessageBytes }, 'reply too large for the channel');
      this.sendError(
        channel,
        id,
        new RpcError('PAYLOAD_TOO_LARGE', `Reply of ${bytes.length} bytes exceeds the ${channel.maxMessageBytes}-byte ${channel.kind} limit`, {
          data: { bytes: bytes.length, limit: channel.maxMessageBytes },
          // The handler has run: a caller must not take this for a refusal it may safely retry.
          notExecuted: false,
        }),
      );
      return;
    }
    this.sendBytes(channel, bytes);
  }

  sendError(channel: Channel, id: number | null, error: RpcError): void {
    this.sendBytes(channel, this.encodeError(id, error, channel.maxMessageBytes));
  }

  /**
   * Encodes an error reply that is guaranteed to fit `limitBytes`: if `data` cannot be encoded or
   * makes it too large, it is dropped, and the message is cut to {@link MAX_FALLBACK_MESSAGE_CHARS}.
   */
  encodeError(id: number | null, error: RpcError, limitBytes: number): Buffer {
    let bytes: Buffer | undefined;
    try {
      bytes = this.#codec.encode({ kind: KIND.response, id, error: error.toWire() });
    } catch (cause) {
      // `data` held something MessagePack cannot carry; send the error without it.
      this.#logger.error({ err: cause, id }, 'error data could not be encoded');
    }
    if (bytes === undefined || bytes.length > limitBytes) {
      const message = error.message.slice(0, MAX_FALLBACK_MESSAGE_CHARS);
      bytes = this.#codec.encode({ kind: KIND.response, id, error: { code: error.code, message } });
    }
    return bytes;
  }

  send(channel: Channel, envelope: Envelope): void {
    this.sendBytes(channel, this.#codec.encode(envelope));
  }

  sendBytes(channel: Channel, bytes: Uint8Array): void {
    if (!channel.send(bytes)) this.#stats.repliesUndeliverable++;
  }
}
