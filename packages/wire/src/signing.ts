import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Codec } from './codec.js';
import { KIND, type SignedEnvelope } from './envelope.js';
import { err, ok, type Result } from './result.js';
import { RpcError } from './rpc-error.js';

/**
 * Domain separation, so a Volley signature can never be taken for another protocol's MAC. v2
 * binds the destination (`audience`); a v1 signature, which did not, never verifies as v2.
 */
const CONTEXT = Buffer.from('volley-signed-v2\0');

/**
 * Default tolerated clock difference between signer and verifier. TSIG recommends 300 s (RFC 8945
 * §10) for DNS across the Internet; Volley's peers are services on NTP-synchronised hosts, and a
 * server must remember every signature it accepted for as long as it could be replayed (2 × skew),
 * so a wider window costs memory and protection under load. 30 s is generous for synchronised
 * clocks; raise it (`skewMs`) for hosts whose clocks drift.
 */
export const DEFAULT_SIGNATURE_SKEW_MS = 30_000;

/** A key to sign with. */
export interface SigningKey {
  keyId: string;
  key: Uint8Array | string;
}

/**
 * A key and the destination a signature is bound to: the name the signer calls the server by
 * (`host:port` of its URL by default), so a datagram captured on its way to one server cannot be
 * replayed to another that shares the key.
 */
export interface SigningScope extends SigningKey {
  audience: string;
}

/**
 * The audience a client signs for when it calls `host:port` (IPv6 hosts in brackets, as in a URL),
 * and one of the names a server bound there answers to.
 */
export function signingAudience(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Bytes a signature adds around `inner`, at most: array, kind, key id, audience, uint32 time,
 * the bin header (up to 5 bytes) and the 32-byte MAC with its header.
 */
export function signatureOverheadBytes(keyId: string, audience: string): number {
  return 1 + 1 + strBytes(keyId) + strBytes(audience) + 5 + 5 + 34;
}

function strBytes(text: string): number {
  const length = Buffer.byteLength(text);
  return length + (length < 32 ? 1 : length < 256 ? 2 : 3);
}

function mac(key: Uint8Array | string, keyId: string, audience: string, timestamp: number, inner: Uint8Array): Buffer {
  const stamp = Buffer.allocUnsafe(4);
  stamp.writeUInt32BE(timestamp >>> 0, 0);
  return createHmac('sha256', key)
    .update(CONTEXT)
    .update(keyId)
    .update('\0')
    .update(audience)
    .update('\0')
    .update(stamp)
    .update(inner)
    .digest();
}

/** Wraps encoded envelope bytes in a signed envelope. `nowMs` is injectable for tests. */
export function signEnvelope(codec: Codec, inner: Uint8Array, scope: SigningScope, nowMs: number = Date.now()): Buffer {
  const timestamp = Math.floor(nowMs / 1000);
  const { keyId, audience } = scope;
  return codec.encode({
    kind: KIND.signed,
    keyId,
    audience,
    timestamp,
    inner,
    mac: mac(scope.key, keyId, audience, timestamp, inner),
  });
}

/** What a verifier accepts. */
export interface VerifyOptions {
  /** Tolerated clock difference, ms (default {@link DEFAULT_SIGNATURE_SKEW_MS}). */
  skewMs?: number;
  nowMs?: number;
  /** Destinations this verifier answers to: a signature bound to any other is refused. */
  isAudience(audience: string): boolean;
}

/**
 * Checks a signed envelope against the keys a peer accepts (two at once during a rotation), in
 * constant time; fails with UNAUTHENTICATED for an unknown key, another destination, a timestamp
 * outside the skew, or a wrong MAC. Returns the inner bytes to decode.
 */
export function verifySignedEnvelope(
  envelope: SignedEnvelope,
  keys: ReadonlyMap<string, Uint8Array | string>,
  options: VerifyOptions,
): Result<Uint8Array, RpcError> {
  const key = keys.get(envelope.keyId);
  if (key === undefined)
    return err(new RpcError('UNAUTHENTICATED', `Unknown signing key "${envelope.keyId.slice(0, 64)}"`));
  if (!options.isAudience(envelope.audience)) {
    return err(
      new RpcError(
        'UNAUTHENTICATED',
        `Signed for "${envelope.audience.slice(0, 64)}", which is not this server (set signing.audience to the name clients use)`,
      ),
    );
  }
  const skewMs = options.skewMs ?? DEFAULT_SIGNATURE_SKEW_MS;
  const offMs = Math.abs((options.nowMs ?? Date.now()) - envelope.timestamp * 1000);
  if (offMs > skewMs)
    return err(
      new RpcError(
        'UNAUTHENTICATED',
        `Signature time is ${Math.round(offMs / 1000)} s off, more than the ${skewMs / 1000} s allowed`,
      ),
    );
  const expected = mac(key, envelope.keyId, envelope.audience, envelope.timestamp, envelope.inner);
  if (!timingSafeEqual(expected, envelope.mac)) return err(new RpcError('UNAUTHENTICATED', 'Bad signature'));
  return ok(envelope.inner);
}
