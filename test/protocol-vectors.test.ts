/**
 * Keeps docs/protocol.md honest: every test vector in §8 is decoded and re-encoded with the real
 * codec and frame decoder. Editing a vector's bytes or its meaning, or changing the codec, fails here.
 *
 * A vector is two fenced blocks with the same `<group>=<name>` tag:
 *
 *   ```hex envelope=ping          annotated bytes; `#` starts a comment
 *   92        # fixarray, 2 elements
 *   ```
 *   ```json envelope=ping         the meaning; {"$bin": hex} and {"$bigint": decimal} for bin and BigInt
 *   { "kind": 4, "id": 300 }
 *   ```
 */
import { readFileSync } from 'node:fs';
import { createCodec, type Envelope, KIND, type RequestMeta, type ResponseMeta } from '@volley/wire';
import { encodeFrame, FrameDecoder } from '@volley/wire/internal';
import { describe, expect, it } from 'vitest';

type Group = 'envelope' | 'reject' | 'frames';

interface Vector {
  group: Group;
  name: string;
  bytes: Buffer;
  expected: unknown;
}

const DOC_PATH = new URL('../docs/protocol.md', import.meta.url);
const BLOCK = /^```(hex|json) (envelope|reject|frames)=([\w-]+)\n([\s\S]*?)^```$/gm;

/** Bytes of an annotated hex block: comments stripped, every remaining token exactly two hex digits. */
function parseHex(block: string, name: string): Buffer {
  const tokens = block
    .split('\n')
    .flatMap((line) => line.replace(/#.*$/, '').trim().split(/\s+/))
    .filter((token) => token !== '');
  for (const token of tokens) {
    if (!/^[0-9a-f]{2}$/i.test(token)) throw new Error(`Vector "${name}": "${token}" is not a hex byte`);
  }
  return Buffer.from(tokens.join(''), 'hex');
}

/** JSON with the two conventions of protocol.md §8 for values JSON cannot express. */
function parseJson(block: string): unknown {
  return JSON.parse(block, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    const record = value as Record<string, unknown>;
    if (keys.length === 1 && typeof record.$bin === 'string') return Buffer.from(record.$bin, 'hex');
    if (keys.length === 1 && typeof record.$bigint === 'string') return BigInt(record.$bigint);
    return value;
  });
}

function readVectors(markdown: string): Vector[] {
  const hex = new Map<string, { group: Group; bytes: Buffer }>();
  const json = new Map<string, { group: Group; expected: unknown }>();
  for (const [, lang, group, name, body] of markdown.matchAll(BLOCK)) {
    const key = name as string;
    const target: Map<string, unknown> = lang === 'hex' ? hex : json;
    if (target.has(key)) throw new Error(`Vector "${key}" has two ${lang} blocks`);
    if (lang === 'hex') hex.set(key, { group: group as Group, bytes: parseHex(body as string, key) });
    else json.set(key, { group: group as Group, expected: parseJson(body as string) });
  }
  const names = new Set([...hex.keys(), ...json.keys()]);
  return [...names].map((name) => {
    const h = hex.get(name);
    const j = json.get(name);
    if (h === undefined || j === undefined) throw new Error(`Vector "${name}" needs both a hex and a json block`);
    if (h.group !== j.group) throw new Error(`Vector "${name}" is tagged ${h.group} and ${j.group}`);
    return { group: h.group, name, bytes: h.bytes, expected: j.expected };
  });
}

/**
 * Every metadata field the codec knows. `satisfies` makes a field added to RequestMeta or
 * ResponseMeta fail type-checking here until it is listed, and the test below then wants a vector
 * that shows it on the wire.
 */
const REQUEST_META_FIELDS = Object.keys({
  deadlineMs: true,
  attempt: true,
  clientId: true,
  incarnation: true,
  trace: true,
  traceState: true,
  auth: true,
  cookie: true,
  fetchOnly: true,
  metadata: true,
} satisfies Record<keyof RequestMeta, true>);
const RESPONSE_META_FIELDS = Object.keys({
  attempt: true,
  clientId: true,
  incarnation: true,
  cookie: true,
  truncated: true,
} satisfies Record<keyof ResponseMeta, true>);

const vectors = readVectors(readFileSync(DOC_PATH, 'utf8'));
const ofGroup = (group: Group) => vectors.filter((v) => v.group === group);
const codec = createCodec();

/** Runs a byte stream through a FrameDecoder, whole or one byte per push. */
function readFrames(stream: Buffer, byteByByte: boolean) {
  const frames: Buffer[] = [];
  const decoder = new FrameDecoder((payload) => frames.push(Buffer.from(payload)));
  const chunks = byteByByte ? [...stream].map((byte) => Buffer.of(byte)) : [stream];
  for (const chunk of chunks) {
    const failure = decoder.push(chunk);
    if (failure) return { frames, failure };
  }
  return { frames, failure: undefined };
}

describe('docs/protocol.md test vectors', () => {
  it('has an envelope vector for every envelope kind', () => {
    const kinds = new Set(ofGroup('envelope').map((v) => (v.expected as Envelope).kind));
    expect([...kinds].sort()).toEqual(Object.values(KIND).sort());
  });

  it('has envelope vectors showing every request and response metadata field', () => {
    const fieldsOf = (kinds: number[]) =>
      new Set(
        ofGroup('envelope').flatMap((v) => {
          const envelope = v.expected as Envelope;
          return kinds.includes(envelope.kind) && 'meta' in envelope && envelope.meta ? Object.keys(envelope.meta) : [];
        }),
      );
    expect([...fieldsOf([KIND.request, KIND.notification, KIND.cancel])].sort()).toEqual(
      [...REQUEST_META_FIELDS].sort(),
    );
    expect([...fieldsOf([KIND.response])].sort()).toEqual([...RESPONSE_META_FIELDS].sort());
  });

  it('has frame vectors for well-formed streams and for both ways a stream fails', () => {
    const frames = ofGroup('frames');
    expect(frames.filter((v) => Array.isArray(v.expected)).length).toBeGreaterThanOrEqual(2);
    const failures = frames.flatMap((v) =>
      Array.isArray(v.expected) ? [] : [(v.expected as { error: string }).error],
    );
    expect(failures.sort()).toEqual(['BAD_REQUEST', 'PAYLOAD_TOO_LARGE']);
  });

  it('has malformed-message vectors answered both with a msgid and with nil', () => {
    const ids = ofGroup('reject').map((v) => (v.expected as { id: number | null }).id);
    expect(ids).toContain(null);
    expect(ids.some((id) => typeof id === 'number')).toBe(true);
  });

  describe.each(ofGroup('envelope'))('envelope $name', ({ bytes, expected }) => {
    it('decodes to the documented envelope', () => {
      expect(codec.decode(bytes)).toEqual({ ok: true, value: expected });
    });

    it('is exactly what the codec writes for that envelope', () => {
      expect(codec.encode(expected as Envelope).toString('hex')).toBe(bytes.toString('hex'));
    });
  });

  describe.each(ofGroup('reject'))('malformed message $name', ({ bytes, expected }) => {
    const { code, id } = expected as { code: string; id: number | null };

    it(`is rejected with ${code}, answerable with msgid ${id}`, () => {
      const decoded = codec.decode(bytes);
      expect(decoded.ok).toBe(false);
      if (decoded.ok) return;
      expect(decoded.error.error.code).toBe(code);
      expect(decoded.error.id ?? null).toBe(id);
    });
  });

  describe.each(ofGroup('frames'))('frame stream $name', ({ bytes, expected }) => {
    if (!Array.isArray(expected)) {
      const { error } = expected as { error: string };
      it.each([false, true])(
        `fails the stream with ${error} before emitting a frame (byte by byte: %s)`,
        (byteByByte) => {
          const { frames, failure } = readFrames(bytes, byteByByte);
          expect(failure?.code).toBe(error);
          expect(frames).toEqual([]);
        },
      );
      return;
    }

    it.each([false, true])('yields the documented envelopes in order (byte by byte: %s)', (byteByByte) => {
      const { frames, failure } = readFrames(bytes, byteByByte);
      expect(failure).toBeUndefined();
      expect(frames.map((frame) => codec.decode(frame))).toEqual(expected.map((value) => ({ ok: true, value })));
    });

    it('is exactly what framing the encoded envelopes writes', () => {
      const stream = Buffer.concat((expected as Envelope[]).map((envelope) => encodeFrame(codec.encode(envelope))));
      expect(stream.toString('hex')).toBe(bytes.toString('hex'));
    });
  });
});
