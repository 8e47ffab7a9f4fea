import { describe, expect, it } from 'vitest';
import { createCodec } from './codec.js';
import { type Envelope, KIND } from './envelope.js';

const codec = createCodec();

describe('codec', () => {
  it('round-trips every envelope kind', () => {
    const envelopes: Envelope[] = [
      {
        kind: KIND.request,
        id: 7,
        method: 'kv.get',
        input: { key: 'a' },
        meta: { deadlineMs: 250, attempt: 1, clientId: Buffer.alloc(8, 1), trace: 't' },
      },
      { kind: KIND.request, id: 0, method: 'echo.ping', input: undefined },
      { kind: KIND.response, id: 7, result: { value: null } },
      { kind: KIND.response, id: 7, error: { code: 'NOT_FOUND', message: 'x' }, meta: { attempt: 2 } },
      { kind: KIND.notification, method: 'log', input: 'hi' },
      { kind: KIND.cancel, id: 9 },
      { kind: KIND.ping, id: 1 },
      { kind: KIND.pong, id: 1 },
      { kind: KIND.goaway, reason: 'shutting down' },
    ];
    for (const envelope of envelopes) {
      const decoded = codec.decode(codec.encode(envelope));
      expect(decoded).toEqual({ ok: true, value: envelope });
    }
  });

  it('round-trips the incarnation of a retransmission and of a UDP reply, and refuses a request whose incarnation is not a uint32', () => {
    const request: Envelope = {
      kind: KIND.request,
      id: 7,
      method: 'kv.put',
      input: 1,
      meta: { attempt: 2, clientId: Buffer.alloc(8, 1), incarnation: 0x9e3779b9 },
    };
    const response: Envelope = {
      kind: KIND.response,
      id: 7,
      result: null,
      meta: { attempt: 2, clientId: Buffer.alloc(8, 1), incarnation: 0x9e3779b9 },
    };
    expect(codec.decode(codec.encode(request))).toEqual({ ok: true, value: request });
    expect(codec.decode(codec.encode(response))).toEqual({ ok: true, value: response });
    for (const i of [-1, 2 ** 32, 1.5, 'x']) {
      expect(codec.decode(codec.encodeValue([0, 7, 'kv.put', [1], { a: 2, i }]))).toMatchObject({
        ok: false,
        error: { id: 7, error: { code: 'BAD_REQUEST' } },
      });
      // Reply metadata is read leniently: an odd `i` is ignored, not fatal.
      expect(codec.decode(codec.encodeValue([1, 7, null, null, { a: 2, i }]))).toEqual({
        ok: true,
        value: { kind: KIND.response, id: 7, result: null, meta: { attempt: 2 } },
      });
    }
  });

  it('round-trips a W3C trace context (traceparent as `t`, tracestate as `ts`) on requests, notifications and cancels, and refuses a `ts` that is not a str', () => {
    const trace = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const meta = { deadlineMs: 1000, trace, traceState: 'vendor=opaque' };
    const envelopes: Envelope[] = [
      { kind: KIND.request, id: 11, method: 'kv.get', input: { key: 'k' }, meta },
      { kind: KIND.notification, method: 'log', input: 'hi', meta: { trace, traceState: 'a=1,b=2' } },
      { kind: KIND.cancel, id: 11, meta: { traceState: '' } },
    ];
    for (const envelope of envelopes) {
      expect(codec.decode(codec.encode(envelope))).toEqual({ ok: true, value: envelope });
    }
    expect(codec.decodeValue(codec.encode(envelopes[0] as Envelope))).toEqual([
      0,
      11,
      'kv.get',
      [{ key: 'k' }],
      { d: 1000, t: trace, ts: 'vendor=opaque' },
    ]);
    for (const ts of [1, null, true, ['a=1'], { a: '1' }, Buffer.from('a=1')]) {
      expect(codec.decode(codec.encodeValue([0, 11, 'kv.get', [], { t: trace, ts }]))).toMatchObject({
        ok: false,
        error: { id: 11, error: { code: 'BAD_REQUEST' } },
      });
      expect(codec.decode(codec.encodeValue([2, 'log', [], { ts }]))).toMatchObject({
        ok: false,
        error: { error: { code: 'BAD_REQUEST' } },
      });
      expect(codec.decode(codec.encodeValue([3, 11, { ts }]))).toMatchObject({
        ok: false,
        error: { error: { code: 'BAD_REQUEST' } },
      });
    }
  });

  it('writes safe integers beyond 32 bits as int64, not float64, and reads them back exactly', () => {
    const bytes = codec.encodeValue({ n: 2 ** 40 + 1, m: -(2 ** 40), f: 1.5 });
    expect(bytes.toString('hex')).toBe('83a16ed30000010000000001a16dd3ffffff0000000000a166cb3ff8000000000000');
    expect(codec.decodeValue(bytes)).toEqual({ n: 2 ** 40 + 1, m: -(2 ** 40), f: 1.5 });
  });

  it('keeps 64-bit integers above 2^53 exact as BigInt', () => {
    const bytes = Buffer.from('cf7fffffffffffffff', 'hex');
    expect(codec.decodeValue(bytes)).toBe(2n ** 63n - 1n);
    expect(codec.encodeValue(2n ** 63n - 1n).toString('hex')).toBe('d37fffffffffffffff');
  });

  it('writes maps in their shortest form and never uses msgpackr records', () => {
    expect(codec.encodeValue({ a: 1 }).toString('hex')).toBe('81a16101');
    expect(codec.encodeValue([{ a: 1 }, { a: 2 }]).toString('hex')).toBe('9281a1610181a16102');
  });

  it('skips undefined properties and writes undefined elements as nil', () => {
    expect(codec.encodeValue({ a: undefined, b: 1 }).toString('hex')).toBe('81a16201');
    expect(codec.encodeValue([undefined]).toString('hex')).toBe('91c0');
  });

  it('skips undefined properties at any depth, in arrays of objects and in result replies', () => {
    expect(codec.encodeValue({ x: [{ a: undefined, b: 1 }], y: { z: { w: undefined } } }).toString('hex')).toBe(
      '82a1789181a16201a17981a17a80',
    );
    expect(codec.encodeResult(1, { a: 1, b: undefined }).toString('hex')).toBe('940101c081a16101');
    let deep: Record<string, unknown> = { gone: undefined, kept: 1 };
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const decoded = codec.decodeValue(codec.encodeValue(deep));
    let inner = decoded as Record<string, unknown>;
    for (let i = 0; i < 40; i++) inner = inner.d as Record<string, unknown>;
    expect(inner).toEqual({ kept: 1 });
    expect(Object.keys(inner)).toEqual(['kept']);
  });

  it('writes the same bytes for a value whatever packer it takes', () => {
    const withUndefined = { a: 1, s: 'x', list: [1, { b: 2 }], nested: { c: Buffer.from([1]) }, u: undefined };
    const { u: _, ...without } = withUndefined;
    expect(codec.encodeValue(withUndefined).toString('hex')).toBe(codec.encodeValue(without).toString('hex'));
  });

  it('rejects malformed input with BAD_REQUEST and keeps the id when it can be read', () => {
    const truncated = codec.decode(Buffer.from('94', 'hex'));
    expect(truncated.ok).toBe(false);
    if (!truncated.ok) expect(truncated.error.error.code).toBe('BAD_REQUEST');
    const badMethod = codec.decode(codec.encodeValue([0, 5, 42, []]));
    expect(badMethod).toMatchObject({ ok: false, error: { id: 5, error: { code: 'BAD_REQUEST' } } });
    const trailing = codec.decode(Buffer.from('9400000000', 'hex').subarray(0, 4));
    expect(trailing.ok).toBe(false);
    const unknownKind = codec.decode(codec.encodeValue([9, 1]));
    expect(unknownKind).toMatchObject({ ok: false, error: { error: { message: 'Unknown envelope kind 9' } } });
  });
});

describe('codec limits', () => {
  it('writes integers beyond the 64-bit ranges as float64 instead of throwing', () => {
    expect(codec.encodeValue(1e20).toString('hex')).toBe('cb4415af1d78b58c40');
    expect(codec.encodeValue(-(2 ** 64)).toString('hex')).toBe('cbc3f0000000000000');
  });

  it('writes integers between 2^63 and 2^64 as uint64', () => {
    expect(codec.encodeValue(2 ** 63).toString('hex')).toBe('cf8000000000000000');
    expect(codec.decodeValue(codec.encodeValue(2 ** 63))).toBe(2n ** 63n);
  });
});

describe('a request refused by a decode cap', () => {
  const clientId = Buffer.alloc(8, 7);
  const tight = createCodec({ decodeLimits: { baseObjects: 16, bytesPerObject: 64 } });
  const request = (input: unknown, meta: Record<string, unknown>) => codec.encodeValue([0, 9, 'sink', [input], meta]);

  it('keeps a datagram-sized message’s metadata, so a UDP reply can echo its client id', () => {
    const refused = tight.decode(request(new Array(40).fill({}), { a: 2, c: clientId }));

    expect(refused).toMatchObject({
      ok: false,
      error: { id: 9, error: { code: 'PAYLOAD_TOO_LARGE' }, meta: { attempt: 2, clientId } },
    });
  });

  it('does not decode metadata that is itself over the caps, nor read the metadata of a message above 64 KiB', () => {
    const hostileMeta = tight.decode(request(1, { a: 2, c: clientId, x: new Array(40).fill({}) }));
    const large = tight.decode(request(new Array(70_000).fill({}), { a: 2, c: clientId }));

    expect(hostileMeta).toMatchObject({ ok: false, error: { id: 9, error: { code: 'PAYLOAD_TOO_LARGE' } } });
    expect(large).toMatchObject({ ok: false, error: { id: 9, error: { code: 'PAYLOAD_TOO_LARGE' } } });
    expect(hostileMeta.ok ? undefined : hostileMeta.error.meta).toBeUndefined();
    expect(large.ok ? undefined : large.error.meta).toBeUndefined();
  });
});

describe('appendResponseMeta', () => {
  it('matches the codec byte for byte for every attempt width and key combination', () => {
    const plain = codec.encode({ kind: KIND.response, id: 7, result: 'ok' });
    for (const attempt of [undefined, 0, 1, 127, 128, 255, 256, 65535, 65536, 0xffffffff]) {
      for (const clientId of [undefined, Buffer.alloc(8, 3)]) {
        for (const incarnation of [undefined, 1, 200, 0xbeef, 0x9e3779b9]) {
          for (const [truncated, cookie] of [
            [undefined, undefined],
            [true, undefined],
            [undefined, Buffer.alloc(16, 9)],
          ] as const) {
            const meta = {
              ...(attempt !== undefined && { attempt }),
              ...(clientId && { clientId }),
              ...(incarnation !== undefined && { incarnation }),
              ...(cookie && { cookie }),
              ...(truncated && { truncated }),
            };
            const expected = codec.encode({ kind: KIND.response, id: 7, result: 'ok', meta });
            expect(codec.appendResponseMeta(plain, meta).toString('hex')).toBe(expected.toString('hex'));
          }
        }
      }
    }
  });

  it('gives the same bytes as encoding the response with its metadata', () => {
    const meta = { attempt: 3, clientId: Buffer.alloc(8, 9), truncated: true };
    const plain = codec.encode({ kind: KIND.response, id: 42, result: { sum: 3 } });
    const full = codec.encode({ kind: KIND.response, id: 42, result: { sum: 3 }, meta });
    expect(codec.appendResponseMeta(plain, meta).equals(full)).toBe(true);
    expect(codec.decode(full)).toEqual({ ok: true, value: { kind: KIND.response, id: 42, result: { sum: 3 }, meta } });
  });

  it('writes a result reply by hand to exactly the bytes of the generic response encoding', () => {
    const ids = [null, 0, 0x7f, 0x80, 0xcb, 0xff, 0x100, 0xcbcb, 0xffff, 0x1_0000, 0xcbcb_cbcb, 0xffff_ffff];
    const results: unknown[] = [
      undefined,
      null,
      { sum: 3 },
      1.5,
      2 ** 40 + 1,
      [2 ** 53 - 1, { n: -(2 ** 40) }],
      'x'.repeat(5000),
      Buffer.alloc(3, 0xcb),
    ];
    for (const id of ids) {
      for (const result of results) {
        const generic = codec.encodeValue([1, id, null, result ?? null]);
        expect(codec.encodeResult(id, result).toString('hex')).toBe(generic.toString('hex'));
        expect(codec.encode({ kind: KIND.response, id, result }).toString('hex')).toBe(generic.toString('hex'));
      }
    }
  });

  it('hands out result replies that later encodes do not overwrite', () => {
    const first = codec.encodeResult(1, { a: 'first' });
    const copy = Buffer.from(first);
    for (let i = 0; i < 10_000; i++) codec.encodeResult(i, { a: 'later', i });
    expect(first.equals(copy)).toBe(true);
  });
});
