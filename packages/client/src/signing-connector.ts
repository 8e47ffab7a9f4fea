import {
  type Codec,
  KIND,
  type SigningScope,
  signatureOverheadBytes,
  signEnvelope,
  verifySignedEnvelope,
} from '@volley/wire';
import type { Connector } from './reconnecting-connection.js';

/**
 * Signs everything a client sends, on any transport (a UDP socket, its TCP route, a stream), and
 * accepts only replies signed with its key for the same audience (see wire/signing.ts), below
 * the client core so that retransmission, matching and the reply cache work unchanged. Every
 * transmission is signed afresh, so a retransmission never repeats a MAC (the server drops
 * repeated ones as replays). The one unsigned reply let through is a server's UNAUTHENTICATED
 * refusal: a server that cannot verify us cannot sign for us either (a forger can make a call
 * fail, not succeed).
 */
export function createSigningConnector(connect: Connector, scope: SigningScope, codec: Codec): Connector {
  const keys = new Map([[scope.keyId, scope.key]]);
  const verifyOptions = { isAudience: (audience: string) => audience === scope.audience };
  const overhead = signatureOverheadBytes(scope.keyId, scope.audience);
  return async (handlers) => {
    const connection = await connect({
      onMessage(bytes) {
        const decoded = codec.decode(bytes);
        if (!decoded.ok) return;
        const envelope = decoded.value;
        if (envelope.kind === KIND.signed) {
          const verified = verifySignedEnvelope(envelope, keys, verifyOptions);
          if (verified.ok)
            handlers.onMessage(
              Buffer.from(verified.value.buffer, verified.value.byteOffset, verified.value.byteLength),
            );
          return;
        }
        if (envelope.kind === KIND.response && envelope.error?.code === 'UNAUTHENTICATED') handlers.onMessage(bytes);
      },
      onClose: handlers.onClose,
      ...(handlers.onUnreachable && { onUnreachable: handlers.onUnreachable }),
    });
    return {
      ...connection,
      maxMessageBytes: connection.maxMessageBytes - overhead,
      send: (bytes) => connection.send(signEnvelope(codec, bytes, scope)),
      close: () => connection.close(),
      ...(connection.mode === 'stream' &&
        connection.destroy && { destroy: (reason?: Error) => connection.destroy?.(reason) }),
    };
  };
}
