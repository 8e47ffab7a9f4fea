import { createClient } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { KIND } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRawTcp,
  decodeEnvelope,
  decodeResponse,
  encodeRequest,
  encodeValue,
  openRawUdp,
  Resources,
  startTestServer,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

const BAD_META = 'Request metadata must be a map with known value types';
const BAD_PARAMS = 'Request params must be an array of at most one element';

/** [what, envelope as a plain value, id the reply must carry, message it must say]. */
const WRONG_SHAPES: [string, unknown, number | null, string][] = [
  ['a method that is a number', [0, 5, 42, []], 5, 'Request method must be a string'],
  ['an unknown kind', [9, 1], null, 'Unknown envelope kind 9'],
  ['params that are a string', [0, 6, 'echo.ping', 'x'], 6, BAD_PARAMS],
  ['params with two elements', [0, 7, 'echo.add', [{ a: 1, b: 2 }, {}]], 7, BAD_PARAMS],
  ['a deadline that is a string', [0, 8, 'echo.ping', [], { d: 'soon' }], 8, BAD_META],
  ['a negative deadline', [0, 9, 'echo.ping', [], { d: -1 }], 9, BAD_META],
  ['a negative attempt', [0, 10, 'echo.ping', [], { a: -1 }], 10, BAD_META],
  ['a client id that is a string', [0, 11, 'echo.ping', [], { c: 'abcdefgh' }], 11, BAD_META],
  ['a client id of 7 bytes', [0, 12, 'echo.ping', [], { c: Buffer.alloc(7) }], 12, BAD_META],
  ['a trace that is a number', [0, 13, 'echo.ping', [], { t: 5 }], 13, BAD_META],
  ['metadata that is an array', [0, 14, 'echo.ping', [], [1, 2]], 14, BAD_META],
  ['three elements', [0, 15, 'echo.ping'], 15, 'Request must have 4 or 5 elements'],
  ['six elements', [0, 16, 'echo.ping', [], {}, 'extra'], 16, 'Request must have 4 or 5 elements'],
  ['a negative id', [0, -1, 'echo.ping', []], null, 'Request id must be a uint32'],
  ['an id beyond uint32', [0, 2 ** 32, 'echo.ping', []], null, 'Request id must be a uint32'],
  ['a fractional id', [0, 1.5, 'echo.ping', []], null, 'Request id must be a uint32'],
  ['a map instead of an array', { kind: 0, id: 1 }, null, 'Envelope must be an array of at least two elements'],
  ['an array of one element', [0], null, 'Envelope must be an array of at least two elements'],
  ['a cancel whose id is a string', [3, 'x'], null, 'Cancel must be [3, id, meta?]'],
  ['a ping with an extra element', [4, 1, 2], null, 'Ping must be [4, id]'],
  ['a notification whose method is a number', [2, 5, []], null, 'Notification method must be a string'],
];

describe('envelopes of the wrong shape on a stream', () => {
  it.each(WRONG_SHAPES)(
    'answers %s with BAD_REQUEST, logs it, and keeps the connection',
    async (_name, envelope, id, message) => {
      const app = open.track(await startTestServer());
      const raw = open.track(await connectRawTcp(app.tcpPort));

      raw.sendFrame(encodeValue(envelope));
      const reply = decodeResponse(await raw.frames.next());
      raw.sendFrame(encodeRequest(99, 'echo.add', { a: 4, b: 5 }));
      const next = decodeResponse(await raw.frames.next());

      expect(reply).toEqual({ kind: KIND.response, id, error: { code: 'BAD_REQUEST', message } });
      expect(next).toMatchObject({ id: 99, result: { sum: 9 } });
      expect(app.server.stats).toMatchObject({ malformed: 1, calls: 1, brokenStreams: 0 });
      expect(app.logs.withMessage('malformed envelope')).toEqual([
        expect.objectContaining({ level: 'info', reason: message }),
      ]);
    },
  );

  // Regression: the codec used to describe an unknown kind with String(kind), outside its
  // try/catch; a map kind carrying its own `toString` key made that throw, so the server logged
  // 'unexpected failure handling a message', counted nothing and sent no reply (and a client
  // decoding such a reply with the same codec threw from a socket callback).
  it('answers an envelope whose kind is a map with a toString key with BAD_REQUEST', async () => {
    const app = open.track(await startTestServer());
    const raw = open.track(await connectRawTcp(app.tcpPort));

    raw.sendFrame(encodeValue([{ toString: 0 }, 1]));
    raw.sendFrame(encodeValue([KIND.ping, 5]));
    const first = decodeEnvelope(await raw.frames.next());

    expect(first).toMatchObject({ kind: KIND.response, id: null, error: { code: 'BAD_REQUEST' } });
    expect(app.server.stats.malformed).toBe(1);
    expect(app.logs.withMessage('unexpected failure handling a message')).toEqual([]);
  });
});

describe('envelopes of the wrong shape in a datagram', () => {
  it('answers a request whose method is a number with BAD_REQUEST carrying its id, and keeps serving', async () => {
    const app = open.track(await startTestServer());
    const raw = open.track(await openRawUdp(app.udpPort));
    const client = open.track(createClient<AppRouter>(app.udpUrl));

    // Padded so the reply stays within three times the request (anti-amplification).
    await raw.send(encodeValue([0, 5, 42, [{ padding: 'x'.repeat(40) }]]));
    const reply = decodeResponse(await raw.received.next());

    expect(reply).toEqual({
      kind: KIND.response,
      id: 5,
      error: { code: 'BAD_REQUEST', message: 'Request method must be a string' },
    });
    expect(app.server.stats.malformed).toBe(1);
    await expect(client.echo.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
  });

  it('counts but does not answer an unknown kind in a 3-byte datagram, which any reply would amplify', async () => {
    const app = open.track(await startTestServer());
    const raw = open.track(await openRawUdp(app.udpPort));

    await raw.send(encodeValue([9, 1]));
    await raw.send(encodeValue([KIND.ping, 6]));
    const first = decodeEnvelope(await raw.received.next());

    expect(first).toEqual({ kind: KIND.pong, id: 6 });
    expect(app.server.stats).toMatchObject({ malformed: 1, amplificationSuppressed: 1 });
  });
});

describe('metadata with values out of range', () => {
  // Regression: the deadline went straight to setTimeout, which turns any delay above 2^31-1 ms
  // (about 24.8 days) or Infinity into 1 ms, so such calls failed with DEADLINE_EXCEEDED at once.
  it.each([
    ['2^31 ms', 2 ** 31],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('runs a call whose deadline is %s away instead of expiring it at once', async (_name, deadlineMs) => {
    const app = open.track(await startTestServer());
    const raw = open.track(await connectRawTcp(app.tcpPort));

    raw.sendFrame(encodeRequest(1, 'echo.slow', { ms: 20 }, { deadlineMs }));
    const reply = decodeResponse(await raw.frames.next());

    expect(reply).toMatchObject({ id: 1, result: { sleptMs: expect.any(Number) } });
    expect(app.server.stats.deadlineExceeded).toBe(0);
  });
});
