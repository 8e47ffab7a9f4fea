import { createClient } from '@volley/client';
import { encodeFrame } from '@volley/wire/internal';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRawTcp,
  createProbe,
  createTestRouter,
  decodeResponse,
  encodeRequest,
  Resources,
  startTestServer,
  type TestRouter,
  type TestServerOptions,
  waitFor,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

async function setup(options: Omit<TestServerOptions, 'router'> = {}) {
  const probe = createProbe();
  const app = open.track(await startTestServer({ ...options, router: createTestRouter(probe) }));
  const raw = open.track(await connectRawTcp(app.tcpPort));
  const client = open.track(createClient<TestRouter>(app.tcpUrl));
  return { app, probe, raw, client };
}

const HUGE_HEADER = Buffer.from([0xff, 0xff, 0xff, 0xf0]);

describe('stream frames that break the stream', () => {
  it.each([
    ['a header announcing 0xFFFFFFF0 bytes', [HUGE_HEADER], 'Frame of 4294967280 bytes exceeds the 4194304-byte limit'],
    [
      'the same header split across two writes',
      [HUGE_HEADER.subarray(0, 2), HUGE_HEADER.subarray(2)],
      'Frame of 4294967280 bytes exceeds the 4194304-byte limit',
    ],
    ['a zero-length frame', [Buffer.alloc(4)], 'Frame length is zero'],
  ])(
    'closes a connection that sends %s, logs why, and finishes a call in flight on another connection',
    async (_name, writes, reason) => {
      const { app, probe, raw, client } = await setup();
      const inFlight = client.probe.hold();
      await waitFor(() => probe.holding === 1, { what: 'the other connection’s call to start' });

      for (const bytes of writes) raw.write(bytes);
      await raw.closed;
      await waitFor(() => app.server.stats.brokenStreams === 1, { what: 'the server to count the broken stream' });

      expect(raw.frames.all).toEqual([]);
      expect(app.logs.withMessage('connection closed on error')).toEqual([
        expect.objectContaining({
          level: 'warn',
          reason,
          abandonedCalls: 0,
          peer: expect.objectContaining({ transport: 'tcp' }),
        }),
      ]);
      probe.release();
      await expect(inFlight).resolves.toEqual({ released: true });
      await expect(client.echo.add({ a: 20, b: 22 })).resolves.toEqual({ sum: 42 });
      expect(app.server.inFlight).toBe(0);
    },
  );

  it('closes a connection that announces one byte more than the configured frame limit', async () => {
    const { app, raw, client } = await setup({ tcp: { maxFrameBytes: 1024 } });

    raw.write(Buffer.from([0x00, 0x00, 0x04, 0x01]));
    await raw.closed;
    await waitFor(() => app.server.stats.brokenStreams === 1, { what: 'the server to count the broken stream' });

    expect(app.logs.withMessage('connection closed on error')).toEqual([
      expect.objectContaining({ reason: 'Frame of 1025 bytes exceeds the 1024-byte limit' }),
    ]);
    await expect(client.echo.ping()).resolves.toMatchObject({ pong: true });
  });

  it('abandons the calls a broken connection had in flight, firing their signals with CANCELLED', async () => {
    const { app, probe, raw, client } = await setup();
    raw.sendFrame(encodeRequest(1, 'probe.hold', {}));
    await waitFor(() => probe.holding === 1, { what: 'the raw connection’s call to start' });

    raw.write(HUGE_HEADER);
    await raw.closed;
    await waitFor(() => app.server.inFlight === 0 && probe.outcomes.length === 1, {
      what: 'the abandoned call to be aborted',
    });

    expect(probe.outcomes).toEqual([{ aborted: true, reasonCode: 'CANCELLED' }]);
    expect(app.server.stats.brokenStreams).toBe(1);
    expect(app.logs.withMessage('connection closed on error')).toEqual([
      expect.objectContaining({ abandonedCalls: 1 }),
    ]);
    await expect(client.echo.ping()).resolves.toMatchObject({ pong: true });
  });
});

describe('well-framed payloads that are not envelopes', () => {
  it.each([
    ['garbage bytes behind a plausible length', Buffer.from([0x00, 0x00, 0x00, 0x05, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1])],
    ['a single 0xc1 byte', encodeFrame(Buffer.from([0xc1]))],
    [
      'the first half of a valid request',
      encodeFrame(halfOf(encodeRequest(3, 'echo.echo', { message: 'cut me in half, please' }))),
    ],
    ['a MessagePack string 4 GiB long in an 8-byte frame', encodeFrame(Buffer.from('dbfffffff0414243', 'hex'))],
  ])('answers %s with BAD_REQUEST and a nil id, and keeps the connection open', async (_name, bytes) => {
    const { app, raw } = await setup();

    raw.write(bytes);
    const reply = decodeResponse(await raw.frames.next());
    raw.sendFrame(encodeRequest(9, 'echo.add', { a: 1, b: 2 }));
    const next = decodeResponse(await raw.frames.next());

    expect(reply).toMatchObject({ id: null, error: { code: 'BAD_REQUEST' } });
    expect(next).toMatchObject({ id: 9, result: { sum: 3 } });
    expect(raw.isClosed).toBe(false);
    expect(app.server.stats).toMatchObject({ malformed: 1, brokenStreams: 0 });
    expect(app.logs.withMessage('malformed envelope')).toEqual([
      expect.objectContaining({
        level: 'info',
        bytes: bytes.length - 4,
        peer: expect.objectContaining({ transport: 'tcp' }),
      }),
    ]);
  });
});

function halfOf(bytes: Buffer): Buffer {
  return bytes.subarray(0, bytes.length >> 1);
}
