import { type Codec, KIND, RpcError } from '@volley/wire';

/**
 * The answer to a message refused for its signature (missing, wrong, or one this server cannot
 * check): an unsigned error response echoing the inner request's msgid, attempt and client id,
 * so its caller can match it. Unsigned because we know no key the sender holds; a signing client
 * accepts only UNAUTHENTICATED unsigned, so a forger can make a call fail, never succeed.
 */
export function encodeSigningRefusal(codec: Codec, innerBytes: Uint8Array, error: RpcError): Buffer {
  const request = requestIn(codec, innerBytes);
  const meta = request?.meta?.clientId ? { attempt: request.meta.attempt, clientId: request.meta.clientId } : undefined;
  return codec.encode({ kind: KIND.response, id: request?.id ?? null, error: error.toWire(), ...(meta && { meta }) });
}

/**
 * Why a valid signature stamped no later than this server started is refused: a process before
 * this one on the same address may have accepted it, and this one cannot remember. Not executed
 * here, always; "may have executed" before the restart when it is a retransmission (`a` ≥ 2,
 * whose earlier transmissions may have reached that process). A first transmission reached only
 * this server (a capture replayed is refused the same way, and its sender learns nothing). Short:
 * over UDP the whole refusal must stay within 3× the request.
 */
export function signedBeforeStartError(codec: Codec, innerBytes: Uint8Array, startedAtMs: number): RpcError {
  const retransmission = (requestIn(codec, innerBytes)?.meta?.attempt ?? 1) >= 2;
  const started = new Date(startedAtMs).toISOString();
  const message = retransmission
    ? `Signed before this server started (${started}); not run here, it may have run before the restart`
    : `Signed before this server started (${started}): refused as a possible replay, not executed (client clock behind?)`;
  return new RpcError('UNAUTHENTICATED', message, { notExecuted: !retransmission });
}

function requestIn(codec: Codec, innerBytes: Uint8Array) {
  const decoded = codec.decode(innerBytes);
  return decoded.ok && decoded.value.kind === KIND.request ? decoded.value : undefined;
}
