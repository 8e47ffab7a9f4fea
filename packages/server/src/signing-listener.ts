import type { Channel, TransportListener } from '@volley/transport';
import { type Codec, KIND, RpcError, SIGNATURE_OVERHEAD_BYTES, signEnvelope, verifySignedEnvelope } from '@volley/wire';
import type { Logger } from 'pino';
import type { ServerStats } from './server-stats.js';

/** Signed datagrams for a UDP listener: which keys to accept, and whether unsigned ones are refused. */
export interface SigningOptions {
  /** Key id → secret. Two entries at once let keys rotate without breaking clients. */
  keys: Record<string, Uint8Array | string>;
  /** Refuse unsigned datagrams with UNAUTHENTICATED (default true). */
  required?: boolean;
  /** Tolerated clock difference, ms (default 300 000, TSIG's fudge). */
  skewMs?: number;
}

/**
 * Wraps a UDP listener so requests must carry a valid HMAC (see wire/signing.ts) and replies are
 * signed with the key the request used. A wrong signature, an unknown key or a timestamp out of
 * the skew is answered with UNAUTHENTICATED and logged; nothing reaches the router. A replayed
 * datagram within the skew is a duplicate (client id, msgid): the reply cache absorbs it.
 */
export function createSigningListener(inner: TransportListener, options: SigningOptions, codec: Codec, logger: Logger, stats: ServerStats): TransportListener {
  const keys = new Map(Object.entries(options.keys));
  const required = options.required ?? true;
  const refuse = (channel: Channel, bytes: Uint8Array, error: RpcError): void => {
    stats.signatureRejected++;
    logger.warn({ peer: channel.peer, reason: error.message }, 'signed datagram rejected');
    const decoded = codec.decode(bytes);
    const request = decoded.ok && decoded.value.kind === KIND.request ? decoded.value : undefined;
    const meta = request?.meta?.clientId ? { attempt: request.meta.attempt, clientId: request.meta.clientId } : undefined;
    // Answered unsigned: we do not know a key the sender holds. A client accepts only this code unsigned.
    const reply = codec.encode({ kind: KIND.response, id: request?.id ?? null, error: error.toWire(), ...(meta && { meta }) });
    // An unsigned datagram proves nothing about its source: the refusal stays within its budget.
    if (channel.sendBudget !== undefined && reply.length > channel.sendBudget) {
      stats.amplificationSuppressed++;
      return;
    }
    channel.send(reply);
  };
  return {
    ...inner,
    onMessage(bytes, channel) {
      const decoded = codec.decode(bytes);
      if (!decoded.ok || decoded.value.kind !== KIND.signed) {
        if (required && decoded.ok) refuse(channel, bytes, new RpcError('UNAUTHENTICATED', 'This server accepts signed datagrams only'));
        else inner.onMessage(bytes, channel);
        return;
      }
      const envelope = decoded.value;
      const verified = verifySignedEnvelope(envelope, keys, { skewMs: options.skewMs });
      if (!verified.ok) {
        refuse(channel, envelope.inner, verified.error);
        return;
      }
      const key = keys.get(envelope.keyId) as Uint8Array | string;
      // A valid signature proves knowledge of the key, not the source address (a captured
      // datagram can be replayed from a spoofed one): replies keep the datagram's budget, less
      // what the signature will add around them.
      const signing: Channel = {
        kind: channel.kind,
        peer: channel.peer,
        connectionless: channel.connectionless,
        maxMessageBytes: channel.maxMessageBytes - SIGNATURE_OVERHEAD_BYTES,
        get sendBudget() {
          return channel.sendBudget === undefined ? undefined : channel.sendBudget - SIGNATURE_OVERHEAD_BYTES;
        },
        validate: () => channel.validate?.(),
        send: (reply) => channel.send(signEnvelope(codec, reply, { keyId: envelope.keyId, key })),
        close: (reason) => channel.close(reason),
      };
      inner.onMessage(Buffer.from(verified.value.buffer, verified.value.byteOffset, verified.value.byteLength), signing);
    },
  };
}
