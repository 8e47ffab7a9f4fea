import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { COOKIE_BYTES } from '@volley/wire';
import { COOKIE_ROTATE_MS } from '../constants.js';

const MAC_BYTES = COOKIE_BYTES - 4;

/**
 * Stateless proof that a UDP source can receive at its address (QUIC address validation,
 * RFC 9000 §8.1; DNS server cookies, RFC 7873/9018): a cookie is a 4-byte timestamp (seconds)
 * and 12 bytes of HMAC-SHA256 over the source IP and that timestamp, under a secret that rotates.
 *
 * ```
 *  cookie = ts:u32be ‖ HMAC(secret, ip ‖ ts)[0..12)
 * ```
 *
 * The server stores nothing per client: a cookie that verifies under the current or previous
 * secret, and is younger than two rotations, proves the client got a datagram sent to that IP.
 */
export class AddressValidator {
  readonly #rotateMs: number;
  readonly #now: () => number;
  #current: Buffer = randomBytes(32);
  #previous: Buffer | undefined;
  #rotatedAt: number;

  constructor(options: { rotateMs?: number; now?: () => number } = {}) {
    this.#rotateMs = options.rotateMs ?? COOKIE_ROTATE_MS;
    this.#now = options.now ?? Date.now;
    this.#rotatedAt = this.#now();
  }

  /** A fresh cookie for `ip`. */
  issue(ip: string): Buffer {
    this.#rotate();
    const cookie = Buffer.allocUnsafe(COOKIE_BYTES);
    cookie.writeUInt32BE(Math.floor(this.#now() / 1000) >>> 0, 0);
    this.#mac(this.#current, ip, cookie.subarray(0, 4)).copy(cookie, 4, 0, MAC_BYTES);
    return cookie;
  }

  /** True when `cookie` was issued to `ip` under a live secret and is not too old. */
  isValid(cookie: Uint8Array, ip: string): boolean {
    if (cookie.length !== COOKIE_BYTES) return false;
    this.#rotate();
    const bytes = Buffer.from(cookie.buffer, cookie.byteOffset, cookie.byteLength);
    const ageMs = this.#now() - bytes.readUInt32BE(0) * 1000;
    if (ageMs < -1000 || ageMs > 2 * this.#rotateMs) return false;
    const stamp = bytes.subarray(0, 4);
    const mac = bytes.subarray(4);
    for (const secret of [this.#current, this.#previous]) {
      if (secret && timingSafeEqual(this.#mac(secret, ip, stamp).subarray(0, MAC_BYTES), mac)) return true;
    }
    return false;
  }

  #mac(secret: Buffer, ip: string, stamp: Buffer): Buffer {
    return createHmac('sha256', secret).update(ip).update(stamp).digest();
  }

  #rotate(): void {
    if (this.#now() - this.#rotatedAt < this.#rotateMs) return;
    this.#previous = this.#current;
    this.#current = randomBytes(32);
    this.#rotatedAt = this.#now();
  }
}
