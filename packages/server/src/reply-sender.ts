import type { Logger } from '@volley/router';
import type { Channel } from '@volley/transport';
import { type Codec, KIND, type RequestEnvelope, type ResponseMeta, RpcError } from '@volley/wire';
import type { ServerStats } from './server-stats.js';

/** Message length kept when an error reply must shrink to fit: ~250 bytes in all, under any datagram limit. */
const MAX_FALLBACK_MESSAGE_CHARS = 200;

/**
 * Encodes and sends replies. Bodies are encoded without metadata so the same bytes can be cached
 * and resent with each retransmission's metadata ({@link Codec.appendResponseMeta}). Nothing
 * unsendable is attempted: a result that cannot be encoded becomes `INTERNAL`, an error reply
 * always fits the limit it is given.
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

  /** `[1, id, nil, result]`, or an `INTERNAL` error body when the result cannot be encoded. */
  encodeResult(id: number, result: unknown): Buffer {
    try {
      return this.#codec.encodeResult(id, result);
    } catch (cause) {
      this.#logger.error({ err: cause, id }, 'result could not be encoded as MessagePack');
      return this.#codec.encode({
        kind: KIND.response,
        id,
        error: new RpcError('INTERNAL', 'Internal server error').toWire(),
      });
    }
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
      const wire = error.toWire();
      bytes = this.#codec.encode({
        kind: KIND.response,
        id,
        error: { code: wire.code, message, ...(wire.notExecuted !== undefined && { notExecuted: wire.notExecuted }) },
      });
    }
    return bytes;
  }

  /**
   * The error a reply body encoded by this class carries, undefined for a result: for observers
   * of a reply resent from the cache, whose outcome was decided by an earlier request. Decodes
   * the body, so only an observed resend pays for it.
   */
  errorOf(body: Buffer): RpcError | undefined {
    const decoded = this.#codec.decode(body);
    if (!decoded.ok || decoded.value.kind !== KIND.response) return undefined;
    const { error } = decoded.value;
    return error ? RpcError.fromWire(error) : undefined;
  }

  /** The datagram or frame for a body encoded by this class, with `meta` appended when given. */
  withMeta(body: Buffer, meta: ResponseMeta | undefined): Buffer {
    return meta === undefined ? body : this.#codec.appendResponseMeta(body, meta);
  }

  /**
   * The answer to a fetch (`meta.fetchOnly`) of a reply that is not kept: the call ran and its
   * truncated reply left the reply cache (caps, expiry, a restart) before the client came for it,
   * or no such call ever reached this server. Either way the handler is never run for a fetch,
   * and "may have run" is all we know.
   */
  encodeFetchMiss(envelope: RequestEnvelope, channel: Channel, limitBytes: number): Buffer {
    this.#logger.debug(
      { id: envelope.id, procedure: envelope.method, peer: channel.peer },
      'fetch of a reply not in the reply cache',
    );
    const message =
      'No reply is kept for this call: it may have run and its reply been evicted, or never reached this server';
    return this.encodeError(
      envelope.id,
      new RpcError('RESOURCE_EXHAUSTED', message, { notExecuted: false }),
      limitBytes,
    );
  }

  /**
   * Every reply leaves through here, after its channel kind's checks (a datagram's
   * anti-amplification budget). A reply the channel refuses is counted.
   */
  sendBytes(channel: Channel, bytes: Uint8Array): void {
    if (!channel.send(bytes)) this.#stats.repliesUndeliverable++;
  }
}

/** PAYLOAD_TOO_LARGE in place of a reply of `bytes` that exceeds what `channel` carries: it says the handler ran. */
export function toOversizeError(bytes: number, channel: Channel): RpcError {
  return new RpcError(
    'PAYLOAD_TOO_LARGE',
    `Reply of ${bytes} bytes exceeds the ${channel.maxMessageBytes}-byte ${channel.kind} limit`,
    {
      data: { bytes, limit: channel.maxMessageBytes },
      // The handler has run: a caller must not take this for a refusal it may safely retry.
      notExecuted: false,
    },
  );
}

/**
 * Room kept for response metadata when fitting a reply into a datagram: a map (1 byte) with `a`
 * (key 2 + uint ≤ 5), `c` (key 2 + bin8 header 2 + 8), `i` (key 2 + uint ≤ 5) and `tc` (key 3 +
 * true 1) takes 1 + 7 + 12 + 7 + 4 = 31 bytes. A cookie challenge's `ck` is not counted: a
 * challenge's body is `[1, id, nil, nil]`, far below any limit.
 */
export const META_ROOM_BYTES = 32;
