import { type Options, Packr, RESERVE_START_SPACE } from 'msgpackr';
import { KIND, type Envelope, type RequestMeta, type ResponseMeta } from './envelope.js';
import { widenLargeIntegers } from './integer-widening.js';
import { appendResponseMetaBytes, FIXARRAY_4 } from './response-meta-bytes.js';
import { err, ok, type Result } from './result.js';
import { RpcError, type WireError } from './rpc-error.js';

/** Why bytes could not become an {@link Envelope}; `id` is set when a reply can still be addressed. */
export interface DecodeFailure {
  error: RpcError;
  id: number | undefined;
}

/** Encodes and decodes envelopes. One instance per transport endpoint; it owns a reusable buffer. */
export interface Codec {
  /** Encodes an envelope. The returned buffer is the caller's; it is never reused by the codec. */
  encode(envelope: Envelope): Buffer;
  /**
   * `[1, id, nil, result]` without metadata: the same bytes as `encode` of that response, for the
   * hot path of every successful reply (see {@link writeResponseHead}).
   */
  encodeResult(id: number | null, result: unknown): Buffer;
  /** Decodes exactly one envelope; trailing bytes, unknown kinds and wrong shapes are failures. */
  decode(bytes: Uint8Array): Result<Envelope, DecodeFailure>;
  /**
   * Appends metadata to an encoded response without re-encoding its result: the 4-element array
   * header (`94`) becomes 5 (`95`) and the meta map follows. Lets a server cache one encoded
   * reply and resend it with each retransmission's attempt number.
   */
  appendResponseMeta(response: Buffer, meta: ResponseMeta): Buffer;
  /** Encodes any value with the same interoperable settings (used by tests and tools). */
  encodeValue(value: unknown): Buffer;
  /** Decodes any value with the same interoperable settings; throws on malformed input. */
  decodeValue(bytes: Uint8Array): unknown;
}

const FLOAT64_TAG = 0xcb;
const NIL = 0xc0;
/** Length of an address cookie (`ck`): 4-byte timestamp + 12 bytes of HMAC. */
export const COOKIE_BYTES = 16;

/** Longest excerpt of a decoder message quoted back to a peer. */
const MAX_REASON_CHARS = 80;

/**
 * Creates a codec configured for interoperability with other MessagePack implementations:
 * no msgpackr records, maps in their shortest form, `undefined` properties skipped (as JSON does),
 * 64-bit integers decoded as numbers when safe and BigInt otherwise, and safe integers beyond
 * 32 bits encoded as int64/uint64 rather than float64 (see {@link widenLargeIntegers}).
 */
export function createCodec(): Codec {
  const options: Options = {
    useRecords: false,
    // No shared-reference (0x69/0x70) decoding from peers: a few hundred bytes could expand into
    // millions of values (or cycles) in whatever walks the input. msgpackr then throws, which
    // decode reports as BAD_REQUEST.
    structuredClone: false,
    mapsAsObjects: true,
    variableMapSize: true,
    // 'auto' (numbers within ±2^53, BigInt beyond) is supported at runtime but missing from msgpackr's types.
    int64AsType: 'auto' as 'number',
    encodeUndefinedAsNil: true,
  };
  // `skipValues` is supported at runtime (msgpackr README) but missing from its Options type.
  const packr = new Packr({ ...options, ...({ skipValues: [undefined] } as Options) });
  /**
   * The same settings without `skipValues`, for values with no undefined property (nearly all):
   * with `skipValues`, msgpackr gathers every object's keys into an array grown by `push`, about
   * 170 B per object; without it, `Object.keys`. In the in-process server loop of `{a, b} → {sum}`
   * (bench/src/micro/server-loop.ts) this took allocation from 1,566 to 1,407 B per call, and
   * the bench's TCP `add` ×64 server CPU from 1.38–1.51× raw to 1.36–1.41× (two A/B pairs).
   * Both write the same bytes when no property is undefined (a test compares them).
   */
  const plainPackr = new Packr(options);
  const packerFor = (value: unknown): Packr => (hasUndefinedProperty(value, 0) ? packr : plainPackr);

  function encodeValue(value: unknown): Buffer {
    const packer = packerFor(value);
    const packed = packer.pack(value);
    // Fast path: no float64 tag byte anywhere means no integer can have been written as a float.
    if (packed.indexOf(FLOAT64_TAG) === -1) return packed;
    const widened = widenLargeIntegers(value);
    return widened === value ? packed : packer.pack(widened);
  }

  function decodeValue(bytes: Uint8Array): unknown {
    return packr.unpack(bytes);
  }

  /**
   * msgpackr packs `result` behind room reserved for the envelope's head, which is then written
   * by hand: no envelope object, no array, one pass. Encoding a `{sum}` reply went from 234 to
   * 199 ns, and the in-process server loop (bench/src/micro/server-loop.ts) from 829 to 783 ns per
   * call. The float64 check covers the result's bytes only (an id byte may be 0xcb).
   */
  function encodeResult(id: number | null, result: unknown): Buffer {
    const value = result ?? null;
    // Not a msgid (only a caller's bug could pass one): msgpackr writes whatever it is.
    if (id !== null && !isMsgid(id)) return encodeValue([KIND.response, id, null, value]);
    const headBytes = responseHeadBytes(id);
    const packer = packerFor(value);
    const packed = packer.pack(value, RESERVE_START_SPACE | headBytes);
    if (packed.indexOf(FLOAT64_TAG, headBytes) !== -1) {
      const widened = widenLargeIntegers(value);
      if (widened !== value) return encodeWidened(packer, id, widened, headBytes);
    }
    writeResponseHead(packed, id);
    return packed;
  }

  function encodeWidened(packer: Packr, id: number | null, widened: unknown, headBytes: number): Buffer {
    const packed = packer.pack(widened, RESERVE_START_SPACE | headBytes);
    writeResponseHead(packed, id);
    return packed;
  }

  return {
    encodeValue,
    decodeValue,
    encodeResult,
    encode: (envelope) =>
      envelope.kind === KIND.response && envelope.error === undefined && envelope.meta === undefined
        ? encodeResult(envelope.id, envelope.result)
        : encodeValue(toArray(envelope)),
    appendResponseMeta(response, meta) {
      if (response[0] !== FIXARRAY_4) throw new TypeError('appendResponseMeta expects a response encoded without metadata');
      return appendResponseMetaBytes(response, meta);
    },
    decode(bytes) {
      let value: unknown;
      try {
        value = packr.unpack(bytes);
      } catch (cause) {
        // msgpackr's messages can quote the peer's data: bound what we echo back.
        const reason = String((cause as Error)?.message).slice(0, MAX_REASON_CHARS);
        return err({ error: new RpcError('BAD_REQUEST', `Malformed MessagePack: ${reason}`, { cause }), id: undefined });
      }
      return fromArray(value);
    },
  };
}

/** Deeper than this, a value is assumed to hold undefined (the skipping packer is always right). */
const MAX_UNDEFINED_SCAN_DEPTH = 32;

/**
 * True when some property msgpackr would write, at any depth, is undefined (or the value is too
 * deep to say). Walks what msgpackr walks as plain objects and arrays; typed arrays, strings and
 * other leaves hold no properties.
 */
function hasUndefinedProperty(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (depth > MAX_UNDEFINED_SCAN_DEPTH) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasUndefinedProperty(value[i], depth + 1)) return true;
    return false;
  }
  if (value instanceof Map || value instanceof Set) return true;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || hasUndefinedProperty(item, depth + 1)) return true;
  }
  return false;
}

/** Bytes of `[1, id, nil` (fixarray 4, kind, the shortest uint or nil, nil), as msgpackr writes them. */
function responseHeadBytes(id: number | null): number {
  if (id === null || id < 0x80) return 4;
  return id < 0x100 ? 5 : id < 0x10000 ? 6 : 8;
}

/**
 * Writes the head of a response without metadata into the first {@link responseHeadBytes} bytes:
 *
 * ```
 *  94 01 <id: 00-7f | cc xx | cd xxxx | ce xxxxxxxx | c0 (nil)> c0 <result…>
 * ```
 */
function writeResponseHead(out: Buffer, id: number | null): void {
  out[0] = FIXARRAY_4;
  out[1] = KIND.response;
  let at = 2;
  if (id === null) out[at++] = NIL;
  else if (id < 0x80) out[at++] = id;
  else if (id < 0x100) {
    out[at++] = 0xcc;
    out[at++] = id;
  } else if (id < 0x10000) {
    out[at++] = 0xcd;
    out.writeUInt16BE(id, at);
    at += 2;
  } else {
    out[at++] = 0xce;
    out.writeUInt32BE(id, at);
    at += 4;
  }
  out[at] = NIL;
}

function toArray(e: Envelope): unknown[] {
  switch (e.kind) {
    case KIND.request: {
      const params = e.input === undefined ? [] : [e.input];
      return e.meta === undefined ? [0, e.id, e.method, params] : [0, e.id, e.method, params, toRequestMetaMap(e.meta)];
    }
    case KIND.response: {
      const head = [1, e.id, e.error ?? null, e.error === undefined ? (e.result ?? null) : null];
      if (e.meta !== undefined) head.push(toResponseMetaMap(e.meta));
      return head;
    }
    case KIND.notification: {
      const params = e.input === undefined ? [] : [e.input];
      return e.meta === undefined ? [2, e.method, params] : [2, e.method, params, toRequestMetaMap(e.meta)];
    }
    case KIND.cancel:
      return e.meta === undefined ? [3, e.id] : [3, e.id, toRequestMetaMap(e.meta)];
    case KIND.ping:
      return [4, e.id];
    case KIND.pong:
      return [5, e.id];
    case KIND.goaway:
      return [6, e.reason];
    case KIND.signed:
      return [7, e.keyId, e.timestamp, e.inner, e.mac];
  }
}

function toRequestMetaMap(meta: RequestMeta): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  if (meta.deadlineMs !== undefined) map.d = meta.deadlineMs;
  if (meta.attempt !== undefined) map.a = meta.attempt;
  if (meta.clientId !== undefined) map.c = meta.clientId;
  if (meta.trace !== undefined) map.t = meta.trace;
  if (meta.auth !== undefined) map.au = meta.auth;
  if (meta.cookie !== undefined) map.ck = meta.cookie;
  if (meta.fetchOnly) map.fo = true;
  if (meta.metadata !== undefined) map.md = meta.metadata;
  return map;
}

function isMsgid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;
}

function fail(message: string, id?: number): Result<never, DecodeFailure> {
  return err({ error: new RpcError('BAD_REQUEST', message), id });
}

function fromArray(value: unknown): Result<Envelope, DecodeFailure> {
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
        return ok(m === undefined ? { kind, id, error: error as WireError } : { kind, id, error: error as WireError, meta: m });
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
      if (!isMsgid(id) || value.length !== 2) return fail(`${kind === KIND.ping ? 'Ping' : 'Pong'} must be [${kind}, id]`);
      return ok({ kind, id });
    }
    case KIND.goaway: {
      const [, reason] = value;
      if (typeof reason !== 'string' || value.length !== 2) return fail('Goaway must be [6, reason]');
      return ok({ kind, reason });
    }
    case KIND.signed: {
      const [, keyId, timestamp, inner, mac] = value;
      const valid =
        value.length === 5 &&
        typeof keyId === 'string' &&
        keyId.length <= 64 &&
        isMsgid(timestamp) &&
        inner instanceof Uint8Array &&
        mac instanceof Uint8Array &&
        mac.length === 32;
      if (!valid) return fail('Signed envelope must be [7, keyId, timestamp, inner, mac(32)]');
      return ok({ kind, keyId, timestamp, inner, mac });
    }
    default:
      // Never call String() on peer data: a decoded map may carry its own `toString` key.
      return fail(`Unknown envelope kind ${typeof kind === 'number' ? kind : `of type ${kind === null ? 'nil' : typeof kind}`}`);
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

function readRequestMeta(meta: unknown): RequestMeta | undefined | typeof INVALID {
  if (meta === undefined || meta === null) return undefined;
  if (!isPlainMap(meta)) return INVALID;
  const out: RequestMeta = {};
  const { d, a, c, t, au, ck, fo, md } = meta;
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
  if (t !== undefined) {
    if (typeof t !== 'string') return INVALID;
    out.trace = t;
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

function toResponseMetaMap(meta: ResponseMeta): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  if (meta.attempt !== undefined) map.a = meta.attempt;
  if (meta.clientId !== undefined) map.c = meta.clientId;
  if (meta.cookie !== undefined) map.ck = meta.cookie;
  if (meta.truncated) map.tc = true;
  return map;
}

/** Lenient on purpose: a reply's metadata only refines matching; unknown or odd values are ignored. */
function readResponseMeta(meta: unknown): ResponseMeta | undefined | typeof INVALID {
  if (meta === undefined || meta === null) return undefined;
  if (!isPlainMap(meta)) return INVALID;
  const out: ResponseMeta = {};
  if (isMsgid(meta.a)) out.attempt = meta.a;
  if (meta.c instanceof Uint8Array && meta.c.length === 8) out.clientId = meta.c;
  if (meta.ck instanceof Uint8Array && meta.ck.length === COOKIE_BYTES) out.cookie = meta.ck;
  if (meta.tc === true) out.truncated = true;
  return out;
}
