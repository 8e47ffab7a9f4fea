import { type Codec, KIND, SIGNATURE_OVERHEAD_BYTES, type SigningKey, signEnvelope, verifySignedEnvelope } from '@volley/wire';
import type { Connector } from './links/link.js';

/**
 * Signs every datagram a UDP client sends and accepts only replies signed with its key (see
 * wire/signing.ts), below the client core so that retransmission, matching and the reply cache
 * work unchanged. The one unsigned reply let through is a server's UNAUTHENTICATED refusal: a
 * server that cannot verify us cannot sign for us either (a forger can make a call fail, not
 * succeed).
 */
export function createSigningConnector(connect: Connector, signing: SigningKey, codec: Codec): Connector {
  const keys = new Map([[signing.keyId, signing.key]]);
  return async (handlers) => {
    const connection = await connect({
      onMessage(bytes) {
        const decoded = codec.decode(bytes);
        if (!decoded.ok) return;
        const envelope = decoded.value;
        if (envelope.kind === KIND.signed) {
          const verified = verifySignedEnvelope(envelope, keys);
          if (verified.ok) handlers.onMessage(Buffer.from(verified.value.buffer, verified.value.byteOffset, verified.value.byteLength));
          return;
        }
        if (envelope.kind === KIND.response && envelope.error?.code === 'UNAUTHENTICATED') handlers.onMessage(bytes);
      },
      onClose: handlers.onClose,
    });
    return {
      ...connection,
      maxMessageBytes: connection.maxMessageBytes - SIGNATURE_OVERHEAD_BYTES,
      send: (bytes) => connection.send(signEnvelope(codec, bytes, signing)),
      close: () => connection.close(),
    };
  };
}
