import { type Options, Packr, RESERVE_START_SPACE } from 'msgpackr';
import { type Envelope, KIND, type RequestMeta, type ResponseMeta } from './envelope.js';
import { type DecodeFailure, envelopeFromArray, isMsgid } from './envelope-reader.js';
import { widenLargeIntegers } from './integer-widening.js';
import { createMessageGuard, type DecodeLimits, type InputLimits } from './message-guard.js';
import { responseHeadBytes, writeResponseHead } from './response-head-bytes.js';
import { appendResponseMetaBytes, FIXARRAY_4 } from './response-meta-bytes.js';
import { err, type Result } from './result.js';
import { RpcError } from './rpc-error.js';
import { isSmallWithoutUndefined } from './undefined-scan.js';

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

/** Options for {@link createCodec}. */
export interface CodecOptions {
  /**
   * Caps on what one message may expand into, checked before it is decoded; each key defaults to
   * its `DEFAULT_…` constant. `false` turns the check off: for peers you trust only.
   */
  decodeLimits?: Partial<DecodeLimits> | false;
  /** Per-method caps on a request's encoded input, checked before it is decoded (servers). */
  inputLimits?: InputLimits;
}

const FLOAT64_TAG = 0xcb;

/** Longest excerpt of a decoder message quoted back to a peer. */
const MAX_REASON_CHARS = 80;

/**
 * Creates a codec configured for interoperability with other MessagePack implementations:
 * no msgpackr records, maps in their shortest form, `undefined` properties skipped (as JSON does),
 * 64-bit integers decoded as numbers when safe and BigInt otherwise, and safe integers beyond
 * 32 bits encoded as int64/uint64 rather than float64 (see {@link widenLargeIntegers}).
 */
export function createCodec(codecOptions: CodecOptions = {}): Codec {
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
   * The same settings without `skipValues`, for small values with no undefined property (most
   * replies; see undefined-scan.ts). With `skipValues`, msgpackr gathers every object's keys into
   * an array grown by `push`, about 170 B per object; without it, `Object.keys`. In the
   * in-process server loop of `{a, b} → {sum}` (bench/src/micro/server-loop.ts) this took
   * allocation from 1,566 to 1,407 B per call, and the bench's TCP `add` ×64 server CPU from
   * 1.38–1.51× raw to 1.36–1.41× (two A/B pairs). Both write the same bytes when no property is
   * undefined (a test compares them).
   */
  const plainPackr = new Packr(options);
  const packerFor = (value: unknown): Packr => (isSmallWithoutUndefined(value) ? plainPackr : packr);
  const guard = createMessageGuard(codecOptions.decodeLimits, codecOptions.inputLimits, (bytes) => packr.unpack(bytes));

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
    let packed = packer.pack(value, RESERVE_START_SPACE | headBytes);
    if (packed.indexOf(FLOAT64_TAG, headBytes) !== -1) {
      const widened = widenLargeIntegers(value);
      if (widened !== value) packed = packer.pack(widened, RESERVE_START_SPACE | headBytes);
    }
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
      if (response[0] !== FIXARRAY_4)
        throw new TypeError('appendResponseMeta expects a response encoded without metadata');
      return appendResponseMetaBytes(response, meta);
    },
    decode(bytes) {
      // Small messages (most requests) cannot exceed a cap: no scan, one comparison.
      if (bytes.length > guard.minBytes) {
        const refused = guard.check(bytes);
        if (refused !== undefined) return err(refused);
      }
      let value: unknown;
      try {
        value = packr.unpack(bytes);
      } catch (cause) {
        // msgpackr's messages can quote the peer's data: bound what we echo back.
        const reason = String((cause as Error)?.message).slice(0, MAX_REASON_CHARS);
        return err({
          error: new RpcError('BAD_REQUEST', `Malformed MessagePack: ${reason}`, { cause }),
          id: undefined,
        });
      }
      return envelopeFromArray(value);
    },
  };
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
      return [7, e.keyId, e.audience, e.timestamp, e.inner, e.mac];
  }
}

function toRequestMetaMap(meta: RequestMeta): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  if (meta.deadlineMs !== undefined) map.d = meta.deadlineMs;
  if (meta.attempt !== undefined) map.a = meta.attempt;
  if (meta.clientId !== undefined) map.c = meta.clientId;
  if (meta.incarnation !== undefined) map.i = meta.incarnation;
  if (meta.trace !== undefined) map.t = meta.trace;
  if (meta.traceState !== undefined) map.ts = meta.traceState;
  if (meta.auth !== undefined) map.au = meta.auth;
  if (meta.cookie !== undefined) map.ck = meta.cookie;
  if (meta.fetchOnly) map.fo = true;
  if (meta.metadata !== undefined) map.md = meta.metadata;
  return map;
}

function toResponseMetaMap(meta: ResponseMeta): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  if (meta.attempt !== undefined) map.a = meta.attempt;
  if (meta.clientId !== undefined) map.c = meta.clientId;
  if (meta.incarnation !== undefined) map.i = meta.incarnation;
  if (meta.cookie !== undefined) map.ck = meta.cookie;
  if (meta.truncated) map.tc = true;
  return map;
}
