/**
 * Property tests of the envelope decoder against hostile bytes (issue 4, item 7). Whatever a peer
 * sends, `decode` must answer `{ ok: true }` or a BAD_REQUEST failure: a throw here would escape
 * into the transport's socket callback. Fixed seeds keep CI deterministic; a failure prints the
 * seed and path that replay it (`fc.assert(..., { seed, path })`).
 */
import fc from 'fast-check';
import { type Options, Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { createCodec } from './codec.js';
import { type Envelope, KIND, type RequestMeta, type ResponseMeta } from './envelope.js';
import type { DecodeFailure } from './envelope-reader.js';
import type { Result } from './result.js';
import { isRpcError } from './rpc-error.js';

const SEED = 42;
/** Longest failure message: fixed text plus the codec's bounded excerpt of msgpackr's reason. */
const MAX_FAILURE_MESSAGE_CHARS = 120;
const KINDS: ReadonlySet<unknown> = new Set(Object.values(KIND));

const codec = createCodec();

/** Decodes, and fails the property (with the input in the message) unless the outcome is one of the two allowed. */
function decodeChecked(bytes: Uint8Array): Result<Envelope, DecodeFailure> {
  let decoded: Result<Envelope, DecodeFailure>;
  try {
    decoded = codec.decode(bytes);
  } catch (thrown) {
    throw new Error(`decode threw ${String(thrown)} for ${Buffer.from(bytes).toString('hex').slice(0, 400)}`, {
      cause: thrown,
    });
  }
  if (decoded.ok) {
    expect(KINDS.has(decoded.value.kind)).toBe(true);
    return decoded;
  }
  const { error, id } = decoded.error;
  expect(isRpcError(error)).toBe(true);
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.message.length).toBeLessThanOrEqual(MAX_FAILURE_MESSAGE_CHARS);
  // An id is only offered back when a reply can really be addressed with it.
  if (id !== undefined) expect(Number.isInteger(id) && id >= 0 && id <= 0xffff_ffff).toBe(true);
  return decoded;
}

// ── Valid envelopes of every kind ───────────────────────────────────────────────────────────

const msgid = fc.integer({ min: 0, max: 0xffff_ffff });
/** Values that survive a MessagePack round trip unchanged (so re-encoding is a fixed point). */
const wireValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b)),
);
const clientId = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => Buffer.from(b));
const requestMeta: fc.Arbitrary<RequestMeta> = fc.record(
  {
    deadlineMs: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: 0, max: 1e9, noNaN: true })),
    attempt: msgid,
    clientId,
    trace: fc.string({ maxLength: 60 }),
    traceState: fc.string({ maxLength: 60 }),
    fetchOnly: fc.constant(true),
  },
  { requiredKeys: [] },
);
const responseMeta: fc.Arbitrary<ResponseMeta> = fc.record(
  { attempt: msgid, clientId, truncated: fc.constant(true) },
  { requiredKeys: [] },
);
const method = fc.oneof(fc.constantFrom('echo.add', 'echo.echo', 'kv.get', 'kv.set', ''), fc.string({ maxLength: 40 }));
const wireError = fc.record(
  {
    code: fc.constantFrom('NOT_FOUND', 'INTERNAL', 'BAD_REQUEST', 'MADE_UP'),
    message: fc.string({ maxLength: 40 }),
    data: wireValue,
  },
  { requiredKeys: ['code', 'message'] },
);
const withOptional = <T extends object, M>(base: fc.Arbitrary<T>, meta: fc.Arbitrary<M>) =>
  fc
    .tuple(base, fc.option(meta, { nil: undefined }))
    .map(([value, m]) => (m === undefined ? value : { ...value, meta: m }));

/** Every envelope kind, with and without metadata. */
const envelope: fc.Arbitrary<Envelope> = fc.oneof(
  withOptional(
    fc.record({ kind: fc.constant(KIND.request), id: msgid, method, input: fc.option(wireValue, { nil: undefined }) }),
    requestMeta,
  ),
  withOptional(
    fc.oneof(
      fc.record({ kind: fc.constant(KIND.response), id: fc.option(msgid), result: wireValue }),
      fc.record({ kind: fc.constant(KIND.response), id: fc.option(msgid), error: wireError }),
    ),
    responseMeta,
  ),
  withOptional(
    fc.record({ kind: fc.constant(KIND.notification), method, input: fc.option(wireValue, { nil: undefined }) }),
    requestMeta,
  ),
  withOptional(fc.record({ kind: fc.constant(KIND.cancel), id: msgid }), requestMeta),
  fc.record({ kind: fc.constant(KIND.ping), id: msgid }),
  fc.record({ kind: fc.constant(KIND.pong), id: msgid }),
  fc.record({ kind: fc.constant(KIND.goaway), reason: fc.string({ maxLength: 40 }) }),
) as fc.Arbitrary<Envelope>;

// ── Mutations ─────────────────────────────────────────────────────────────────────────────

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set' | 'insert'; at: number; byte: number }
  | { op: 'delete' | 'truncate' | 'duplicate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    op: fc.constantFrom('set' as const, 'insert' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ op: fc.constantFrom('delete' as const, 'truncate' as const, 'duplicate' as const), at: fc.nat() }),
);

/** Applies mutations to a copy; positions wrap around the current length. */
function mutate(source: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Array.from(source);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length;
    if (m.op === 'flip') bytes[at] = (bytes[at] ?? 0) ^ (1 << m.bit);
    else if (m.op === 'set') bytes[at] = m.byte;
    else if (m.op === 'insert') bytes.splice(at, 0, m.byte);
    else if (m.op === 'delete') bytes.splice(at, 1);
    else if (m.op === 'truncate') bytes = bytes.slice(0, at);
    else bytes = [...bytes.slice(0, at), ...bytes.slice(at)]; // duplicate the tail: trailing data
  }
  return Uint8Array.from(bytes);
}

// ── MessagePack token soup ────────────────────────────────────────────────────────────────

/** Extension types msgpackr knows (record, error, regexp, structured-clone refs, typed arrays, bundles, timestamp, bigint) plus unknown ones. */
const EXT_TYPES = [0x00, 0x42, 0x62, 0x65, 0x69, 0x70, 0x72, 0x73, 0x74, 0x78, 0xff, 0x01, 0x7f];
const u16 = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 0xffff }));
const u32 = fc.oneof(
  fc.integer({ min: 0, max: 40 }),
  fc.constantFrom(0xffff_ffff, 0x7fff_ffff, 0x10000),
  fc.integer({ min: 0, max: 0xffff_ffff }),
);
const be = (value: number, bytes: 2 | 4) =>
  bytes === 2 ? [value >>> 8, value & 0xff] : [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

/**
 * Header bytes of every MessagePack family with lengths that range from exact to absurd, and
 * extension headers for the types msgpackr decodes into objects: random bytes alone would almost
 * never reach those code paths.
 */
const token: fc.Arbitrary<readonly number[]> = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((b) => [b]),
  fc.constantFrom<readonly number[]>(
    [0x94, 0x00],
    [0x95, 0x00],
    [0x94, 0x01],
    [0x93, 0x02],
    [0x93, 0x03],
    [0x92, 0x04],
    [0x92, 0x06],
    [0xc0],
    [0xc1],
    [0x90],
    [0x80],
  ),
  fc
    .tuple(fc.constantFrom(0xc4, 0xd9, 0xc7), fc.integer({ min: 0, max: 255 }), fc.constantFrom(...EXT_TYPES))
    .map(([h, n, t]) => (h === 0xc7 ? [h, n, t] : [h, n])),
  fc
    .tuple(fc.constantFrom(0xc5, 0xda, 0xdc, 0xde, 0xc8), u16, fc.constantFrom(...EXT_TYPES))
    .map(([h, n, t]) => (h === 0xc8 ? [h, ...be(n, 2), t] : [h, ...be(n, 2)])),
  fc
    .tuple(fc.constantFrom(0xc6, 0xdb, 0xdd, 0xdf, 0xc9), u32, fc.constantFrom(...EXT_TYPES))
    .map(([h, n, t]) => (h === 0xc9 ? [h, ...be(n, 4), t] : [h, ...be(n, 4)])),
  fc.tuple(fc.integer({ min: 0xd4, max: 0xd8 }), fc.constantFrom(...EXT_TYPES)),
  fc
    .tuple(fc.constantFrom(0xce, 0xcf, 0xd3, 0xcb), fc.uint8Array({ minLength: 8, maxLength: 8 }))
    .map(([h, b]) => [h, ...b]),
  fc.uint8Array({ maxLength: 12 }).map((b) => Array.from(b)),
);
const tokenSoup = fc.array(token, { maxLength: 48 }).map((tokens) => Uint8Array.from(tokens.flat()));

// ── Envelope-shaped arrays of arbitrary values ───────────────────────────────────────────────

/** Anything msgpackr can encode: fast-check's hostile objects plus values the envelope fields expect. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    maxDepth: 3,
    withDate: true,
    withTypedArray: true,
    withNullPrototype: true,
    withMap: true,
    withSet: true,
    withSparseArray: true,
    withBoxedValues: true,
  }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.constantFrom(
    -1,
    0,
    0xffff_ffff,
    2 ** 32,
    2 ** 53,
    1.5,
    Number.NaN,
    -0,
    Infinity,
    'echo.add',
    '__proto__',
    'toString',
    null,
  ),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 2 }),
  fc.dictionary(
    fc.constantFrom('d', 'a', 'c', 't', 'ts', 'fo', 'tc', '__proto__', 'constructor'),
    fc.anything({ maxDepth: 1 }),
  ),
  clientId,
);
const kindValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 7 }) },
  { weight: 1, arbitrary: anyValue },
);
const shapedArray = fc.tuple(kindValue, fc.array(anyValue, { maxLength: 6 })).map(([kind, rest]) => [kind, ...rest]);

// ── Value counts ─────────────────────────────────────────────────────────────────────────

/**
 * Values in a decoded tree, walked as a consumer (a validator, an encoder, a logger) walks it:
 * arrays, maps, sets and plain objects are opened, every other value is a leaf. Stops past `cap`.
 */
function countValues(root: unknown, cap: number): number {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0 && count <= cap) {
    const value = stack.pop();
    count++;
    if (Array.isArray(value)) stack.push(...value);
    else if (value instanceof Map) for (const [k, v] of value) stack.push(k, v);
    else if (value instanceof Set) stack.push(...value);
    else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !(value instanceof Date))
      stack.push(...Object.values(value));
  }
  return count;
}

/** Every MessagePack value takes at least one byte, so a tree decoded from n bytes has at most n values. */
function expectNoMoreValuesThanBytes(bytes: Uint8Array): void {
  const decoded = decodeChecked(bytes);
  if (decoded.ok) expect(countValues(decoded.value, bytes.length)).toBeLessThanOrEqual(bytes.length);
}

/**
 * `[x, x, ...]` nested `depth` times, written with msgpackr's structured-clone extension: each
 * level is one array of pointers (0x70) to the level below (tagged with an id, 0x69), so the bytes
 * grow with `depth * width` while the tree they describe grows with `width ** depth`.
 */
const sharedReferenceBomb = fc
  .record({ depth: fc.integer({ min: 4, max: 24 }), width: fc.integer({ min: 2, max: 4 }) })
  .map(({ depth, width }) => {
    let value: unknown = { message: 'leaf' };
    for (let i = 0; i < depth; i++) value = Array.from({ length: width }, () => value);
    return new Packr({ structuredClone: true } as Options).pack([KIND.request, 1, 'echo.echo', [value]]);
  });

/** Where a datagram or frame sits: a view into a larger buffer holding other peers' bytes. */
const inNoise = <T>(content: fc.Arbitrary<T>) =>
  fc.tuple(content, fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }));

describe('envelope decoder under arbitrary input', () => {
  it('answers any byte sequence with an envelope or a BAD_REQUEST failure, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => void decodeChecked(bytes)),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('answers sequences of MessagePack headers with absurd lengths and extension types the same way', () => {
    fc.assert(
      fc.property(tokenSoup, (bytes) => void decodeChecked(bytes)),
      { seed: SEED, numRuns: 5_000 },
    );
  });

  it('answers valid envelopes of every kind with flipped, inserted, deleted and truncated bytes the same way', () => {
    fc.assert(
      fc.property(
        envelope,
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (e, mutations) => void decodeChecked(mutate(codec.encode(e), mutations)),
      ),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('answers envelope-shaped arrays of arbitrary values with an envelope of that kind or a failure', () => {
    fc.assert(
      fc.property(shapedArray, (array) => {
        const decoded = decodeChecked(codec.encodeValue(array));
        if (decoded.ok) expect(decoded.value.kind).toBe(array[0]);
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('keeps the id of a request whose shape is wrong only when it is a uint32, so the error reply is addressable', () => {
    fc.assert(
      fc.property(anyValue, fc.array(anyValue, { maxLength: 4 }), (id, rest) => {
        const bytes = codec.encodeValue([KIND.request, id, ...rest]);
        const decoded = decodeChecked(bytes);
        // Compared with the id as it reads back (a small BigInt is written as a plain integer).
        if (!decoded.ok && decoded.error.id !== undefined)
          expect(decoded.error.id).toBe((codec.decodeValue(bytes) as unknown[])[1]);
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });
});

describe('envelope decoder output', () => {
  it('reads nothing outside the view it is given: an envelope amid other bytes decodes as a copy of it does', () => {
    const longStrings = fc
      .array(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 120 })), { maxLength: 5 })
      .map((strings) => codec.encodeValue([KIND.request, 1, 'echo.echo', [{ message: strings.join('') }], ...strings]));
    const content = fc.oneof(
      longStrings,
      fc
        .tuple(longStrings, fc.nat({ max: 40 }))
        .map(([bytes, cut]) => bytes.subarray(0, Math.max(1, bytes.length - cut))),
      fc
        .tuple(envelope, fc.array(mutation, { maxLength: 3 }))
        .map(([e, mutations]) => mutate(codec.encode(e), mutations)),
      tokenSoup,
    );
    fc.assert(
      fc.property(inNoise(content), ([bytes, before, after]) => {
        const surrounded = Buffer.concat([before, bytes, after]);
        const view = surrounded.subarray(before.length, before.length + bytes.length);
        const inPlace = decodeChecked(view);
        const copied = decodeChecked(Buffer.from(bytes));
        if (inPlace.ok && copied.ok) expect(inPlace.value).toEqual(copied.value);
        else expect(inPlace.ok || inPlace.error.error.message).toEqual(copied.ok || copied.error.error.message);
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('never yields more values than the input has bytes, for plain MessagePack and msgpackr extensions alike', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          tokenSoup,
          fc.tuple(envelope, fc.array(mutation, { maxLength: 3 })).map(([e, m]) => mutate(codec.encode(e), m)),
        ),
        expectNoMoreValuesThanBytes,
      ),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  // Regression guard: with msgpackr's structured-clone extension on, 0x69 tags
  // a value with an id and 0x70 points back at it, so a 343-byte request decoded to an input of
  // 2^25 values (depth 24, width 2) whose re-encoding took seconds and 240 MB, and depth 30
  // exhausted whatever walked it as a tree. The codec now sets `structuredClone: false`: BAD_REQUEST.
  it('never yields more values than the input has bytes when the input uses shared references', () => {
    fc.assert(fc.property(sharedReferenceBomb, expectNoMoreValuesThanBytes), { seed: SEED, numRuns: 50 });
  });
});

describe('envelope decoder on valid input', () => {
  it('re-encodes every decoded envelope to the very bytes it came from', () => {
    fc.assert(
      fc.property(envelope, (e) => {
        const bytes = codec.encode(e);
        const decoded = decodeChecked(bytes);
        expect(decoded.ok).toBe(true);
        if (decoded.ok) expect(codec.encode(decoded.value).equals(bytes)).toBe(true);
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('carries no state from malformed input into the next decode on the same codec', () => {
    const reference = createCodec();
    fc.assert(
      fc.property(
        fc.array(fc.oneof(tokenSoup, fc.uint8Array({ maxLength: 256 })), { minLength: 1, maxLength: 5 }),
        envelope,
        (garbage, e) => {
          const bytes = codec.encode(e);
          for (const g of garbage) decodeChecked(g);
          expect(codec.decode(bytes)).toEqual(reference.decode(bytes));
        },
      ),
      { seed: SEED, numRuns: 1_000 },
    );
  });
});
