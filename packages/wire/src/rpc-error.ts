import { ERROR_CODES, type ErrorCode, isErrorCode } from './error-codes.js';

const BRAND = Symbol.for('volley.RpcError');

/** Options for {@link RpcError}. */
export interface RpcErrorOptions {
  /** Structured, serialisable detail sent to the caller (for example zod issues). */
  data?: unknown;
  cause?: unknown;
  /** Overrides the code's default from {@link ERROR_CODES}, for local errors that know better. */
  notExecuted?: boolean;
  /** True when the error was raised on this side and never crossed the wire. */
  local?: boolean;
}

/** The serialisable shape of an error on the wire: `{ code, message, data? }`. */
export interface WireError {
  code: string;
  message: string;
  data?: unknown;
  /**
   * Present only when it differs from the code's default in {@link ERROR_CODES}: `false` when the
   * server raised a "not executed" code after the handler had run (a reply too large, a code thrown
   * by the handler itself).
   */
  notExecuted?: boolean;
}

/**
 * The single error type callers match on `code`.
 * @example
 * try { await client.kv.get({ key }) } catch (e) { if (isRpcError(e) && e.code === 'NOT_FOUND') ... }
 */
export class RpcError extends Error {
  readonly code: ErrorCode;
  readonly data: unknown;
  /** True when the call is known not to have run: safe to retry even if not idempotent. */
  readonly notExecuted: boolean;
  /** True when raised locally (socket closed, timeout) rather than sent by the server. */
  readonly local: boolean;

  constructor(code: ErrorCode, message: string, options: RpcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RpcError';
    this.code = code;
    this.data = options.data;
    this.notExecuted = options.notExecuted ?? ERROR_CODES[code].notExecuted;
    this.local = options.local ?? false;
  }

  /** `instanceof` that survives two copies of this package in one process. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** The `{ code, message, data }` map sent on the wire. */
  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message };
    if (this.data !== undefined) wire.data = this.data;
    if (this.notExecuted !== ERROR_CODES[this.code].notExecuted) wire.notExecuted = this.notExecuted;
    return wire;
  }

  /** Rebuilds an error received from a peer; unknown codes become `INTERNAL` with the original in `data`. */
  static fromWire(wire: unknown): RpcError {
    if (typeof wire === 'object' && wire !== null) {
      const { code, message, data, notExecuted } = wire as Partial<WireError>;
      const text = typeof message === 'string' ? message : 'Remote error';
      if (isErrorCode(code))
        return new RpcError(code, text, typeof notExecuted === 'boolean' ? { data, notExecuted } : { data });
      return new RpcError('INTERNAL', text, { data: { remoteCode: code, data } });
    }
    return new RpcError('INTERNAL', typeof wire === 'string' ? wire : 'Remote error', { data: wire });
  }
}
Object.defineProperty(RpcError.prototype, BRAND, { value: true });

/** True for any {@link RpcError}, from this or another copy of the package. */
export function isRpcError(value: unknown): value is RpcError {
  return value instanceof RpcError;
}
