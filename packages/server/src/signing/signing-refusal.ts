import { type Codec, KIND, type RpcError } from '@volley/wire';

/**
 * The answer to a message refused for its signature (missing, wrong, or one this server cannot
 * check): an unsigned error response echoing the inner request's msgid, attempt and client id,
 * so its caller can match it. Unsigned because we know no key the sender holds; a signing client
 * accepts only UNAUTHENTICATED unsigned, so a forger can make a call fail, never succeed.
 */
export function encodeSigningRefusal(codec: Codec, innerBytes: Uint8Array, error: RpcError): Buffer {
  const decoded = codec.decode(innerBytes);
  const request = decoded.ok && decoded.value.kind === KIND.request ? decoded.value : undefined;
  const meta = request?.meta?.clientId ? { attempt: request.meta.attempt, clientId: request.meta.clientId } : undefined;
  return codec.encode({ kind: KIND.response, id: request?.id ?? null, error: error.toWire(), ...(meta && { meta }) });
}
