import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Codec } from './codec.js';
import { KIND, type SignedEnvelope } from './envelope.js';
import { err, ok, type Result } from './result.js';
import { RpcError } from './rpc-error.js';

/** Domain separation, so a Volley signature can never be taken for another protocol's MAC. */
const CONTEXT = Buffer.from('volley-signed-v1\0');

/**
 * Default tolerated clock difference between signer and verifier: TSIG's recommended fudge
 * (RFC 8945 §10) is 300 s.
 */
export const DEFAULT_SIGNATURE_SKEW_MS = 300_000;

/** Bytes a signature adds around an envelope, at most (with a key id of up to 64 bytes). */
export const SIGNATURE_OVERHEAD_BYTES = 112;

/** A key to sign with. */
export interface SigningKey {
  keyId: string;
  key: Uint8Array | string;
}

function mac(key: Uint8Array | string, keyId: string, timestamp: number, inner: Uint8Array): Buffer {
  const stamp = Buffer.allocUnsafe(4);
  stamp.writeUInt32BE(timestamp >>> 0, 0);
  return createHmac('sha256', key).update(CONTEXT).update(keyId).update('\0').update(stamp).update(inner).digest();
}

/** Wraps encoded envelope bytes in a signed envelope. `nowMs` is injectable for tests. */
export function signEnvelope(codec: Codec, inner: Uint8Array, signing: SigningKey, nowMs: number = Date.now()): Buffer {
  const timestamp = Math.floor(nowMs / 1000);
  return codec.encode({ kind: KIND.signed, keyId: signing.keyId, timestamp, inner, mac: mac(signing.key, signing.keyId, timestamp, inner) });
}

/**
 * Checks a signed envelope against the keys a peer accepts (two at once during a rotation), in
 * constant time; fails with UNAUTHENTICATED for an unknown key, a timestamp outside the skew, or
 * a wrong MAC. Returns the inner bytes to decode.
 */
export function verifySignedEnvelope(
  envelope: SignedEnvelope,
  keys: ReadonlyMap<string, Uint8Array | string>,
  options: { skewMs?: number; nowMs?: number } = {},
): Result<Uint8Array, RpcError> {
  const key = keys.get(envelope.keyId);
  if (key === undefined) return err(new RpcError('UNAUTHENTICATED', `Unknown signing key "${envelope.keyId.slice(0, 64)}"`));
  const skewMs = options.skewMs ?? DEFAULT_SIGNATURE_SKEW_MS;
  const offMs = Math.abs((options.nowMs ?? Date.now()) - envelope.timestamp * 1000);
  if (offMs > skewMs) return err(new RpcError('UNAUTHENTICATED', `Signature time is ${Math.round(offMs / 1000)} s off, more than the ${skewMs / 1000} s allowed`));
  const expected = mac(key, envelope.keyId, envelope.timestamp, envelope.inner);
  if (!timingSafeEqual(expected, envelope.mac)) return err(new RpcError('UNAUTHENTICATED', 'Bad signature'));
  return ok(envelope.inner);
}
