import { COOKIE_BYTES, MAX_SIGNING_NAME_CHARS } from './constants.js';
import { type Envelope, KIND, type RequestMeta, type ResponseMeta } from './envelope.js';
import { err, ok, type Result } from './result.js';
import { RpcError, type WireError } from './rpc-error.js';

/** Why bytes could not become an {@link Envelope}; `id` is set when a reply can still be addressed. */
export interface DecodeFailure {
  error: RpcError;
  id: number | undefined;
  /**
   * The request's metadata, when a request was refused before decoding (its input over its
   * procedure's size limit, or a datagram-sized message over a decode cap whose metadata is
   * readable): a UDP reply must echo its client id and attempt.
   */
  meta?: RequestMeta;
}

/** A MessagePack-RPC msgid: an integer in uint32 range. */
export function isMsgid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;
}

function fail(message: string, id?: number): Result<never, DecodeFailure> {
  return err({ error: new RpcError('BAD_REQUEST', message), id });
}

/**
 * From the array msgpackr decoded to a checked {@link Envelope}: every kind's shape, its msgid and
 * its metadata. Strict about requests (a malformed one is refused with BAD_REQUEST, keeping the
 * id when a reply can still be addressed), lenient about reply metadata.
 */
export function envelopeFromArray(value: unknown): Result<Envelope, DecodeFailure> {
  if (!Array.isArray(value) || value.length < 2) return fail('Envelope must be an array of at least two elements');
  const kind = value[0];
  switch (kind) {
    case KIND.request: {
      const [, id, method, params, meta] = value;
      if (!isMsgid(id)) return fail('Request id must be a uint32');
      if (value.length < 4 || value.length > 5) return fail('Request must have 4 or 5 elements', id);
      if (typeof method !== 'string') return fail('Request method must be a string', id);
      const input = readParams(params);
      if (input === INVALID) return fail('Request params must be an array of at most one element', id);
      const m = readRequestMeta(meta);
      if (m === INVALID) return fail('Request metadata must be a map with known value types', id);
      return ok(m === undefined ? { kind, id, method, input } : { kind, id, method, input, meta: m });
    }
    case KIND.response: {
      const [, id, error, result, meta] = value;
      if (id !== null && !isMsgid(id)) return fail('Response id must be a uint32 or nil');
      if (value.length < 4 || value.length > 5) return fail('Response must have 4 or 5 elements');
      const m = readResponseMeta(meta);
      if (m === INVALID) return fail('Response metadata must be a map');
      if (error !== null && error !== undefined) {
        return ok(
          m === undefined ? { kind, id, error: error as WireError } : { kind, id, error: error as WireError, meta: m },
        );
      }
      return ok(m === undefined ? { kind, id, result } : { kind, id, result, meta: m });
    }
    case KIND.notification: {
      const [, method, params, meta] = value;
      if (value.length < 3 || value.length > 4) return fail('Notification must have 3 or 4 elements');
      if (typeof method !== 'string') return fail('Notification method must be a string');
      const input = readParams(params);
      if (input === INVALID) return fail('Notification params must be an array of at most one element');
      const m = readRequestMeta(meta);
      if (m === INVALID) return fail('Notification metadata must be a map with known value types');
      return ok(m === undefined ? { kind, method, input } : { kind, method, input, meta: m });
    }
    case KIND.cancel: {
      const [, id, meta] = value;
      if (!isMsgid(id) || value.length > 3) return fail('Cancel must be [3, id, meta?]');
      const m = readRequestMeta(meta);
      if (m === INVALID) return fail('Cancel metadata must be a map with known value types');
      return ok(m === undefined ? { kind, id } : { kind, id, meta: m });
    }
    case KIND.ping:
    case KIND.pong: {
      const [, id] = value;
      if (!isMsgid(id) || value.length !== 2)
        return fail(`${kind === KIND.ping ? 'Ping' : 'Pong'} must be [${kind}, id]`);
      return ok({ kind, id });
    }
    case KIND.goaway: {
      const [, reason] = value;
      if (typeof reason !== 'string' || value.length !== 2) return fail('Goaway must be [6, reason]');
      return ok({ kind, reason });
    }
    case KIND.signed: {
      const [, keyId, audience, timestamp, inner, mac] = value;
      const valid =
        value.length === 6 &&
        typeof keyId === 'string' &&
        keyId.length <= MAX_SIGNING_NAME_CHARS &&
        typeof audience === 'string' &&
        audience.length <= MAX_SIGNING_NAME_CHARS &&
        isMsgid(timestamp) &&
        inner instanceof Uint8Array &&
        mac instanceof Uint8Array &&
        mac.length === 32;
      if (!valid) return fail('Signed envelope must be [7, keyId, audience, timestamp, inner, mac(32)]');
      return ok({ kind, keyId, audience, timestamp, inner, mac });
    }
    default:
      // Never call String() on peer data: a decoded map may carry its own `toString` key.
      return fail(
        `Unknown envelope kind ${typeof kind === 'number' ? kind : `of type ${kind === null ? 'nil' : typeof kind}`}`,
      );
  }
}

const INVALID = Symbol('invalid');

function readParams(params: unknown): unknown {
  if (!Array.isArray(params) || params.length > 1) return INVALID;
  return params[0];
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** A request's metadata map, checked; `INVALID` (a symbol) when a known key has the wrong type. */
export function readRequestMeta(meta: unknown): RequestMeta | undefined | typeof INVALID {
  if (meta === undefined || meta === null) return undefined;
  if (!isPlainMap(meta)) return INVALID;
  const out: RequestMeta = {};
  const { d, a, c, i, t, ts, au, ck, fo, md } = meta;
  if (d !== undefined) {
    if (typeof d !== 'number' || !(d >= 0)) return INVALID;
    out.deadlineMs = d;
  }
  if (a !== undefined) {
    if (!isMsgid(a)) return INVALID;
    out.attempt = a;
  }
  if (c !== undefined) {
    if (!(c instanceof Uint8Array) || c.length !== 8) return INVALID;
    out.clientId = c;
  }
  if (i !== undefined) {
    if (!isMsgid(i)) return INVALID;
    out.incarnation = i;
  }
  if (t !== undefined) {
    if (typeof t !== 'string') return INVALID;
    out.trace = t;
  }
  if (ts !== undefined) {
    if (typeof ts !== 'string') return INVALID;
    out.traceState = ts;
  }
  if (au !== undefined) {
    if (typeof au !== 'string') return INVALID;
    out.auth = au;
  }
  if (ck !== undefined) {
    if (!(ck instanceof Uint8Array) || ck.length !== COOKIE_BYTES) return INVALID;
    out.cookie = ck;
  }
  if (fo !== undefined) {
    if (typeof fo !== 'boolean') return INVALID;
    if (fo) out.fetchOnly = true;
  }
  if (md !== undefined) {
    if (!isPlainMap(md) || !Object.values(md).every((v) => typeof v === 'string')) return INVALID;
    out.metadata = md as Record<string, string>;
  }
  return out;
}

/** Lenient on purpose: a reply's metadata only refines matching; unknown or odd values are ignored. */
function readResponseMeta(meta: unknown): ResponseMeta | undefined | typeof INVALID {
  if (meta === undefined || meta === null) return undefined;
  if (!isPlainMap(meta)) return INVALID;
  const out: ResponseMeta = {};
  if (isMsgid(meta.a)) out.attempt = meta.a;
  if (meta.c instanceof Uint8Array && meta.c.length === 8) out.clientId = meta.c;
  if (isMsgid(meta.i)) out.incarnation = meta.i;
  if (meta.ck instanceof Uint8Array && meta.ck.length === COOKIE_BYTES) out.cookie = meta.ck;
  if (meta.tc === true) out.truncated = true;
  return out;
}
