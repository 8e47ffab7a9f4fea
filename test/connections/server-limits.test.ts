/**
 * Issue 4, server limits on the connection-oriented path: calls per connection, slowloris, idle
 * connections, and a client that never reads its replies.
 */
import { createClient } from '@volley/client';
import { createServer, type Server } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRawTcp,
  createLogCapture,
  createProbe,
  createTestRouter,
  decodeResponse,
  encodeRequest,
  Resources,
  type TestRouter,
  waitFor,
  waitForQuiet,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

async function serve(
  options: {
    maxCallsPerConnection?: number;
    partialFrameTimeoutMs?: number;
    idleTimeoutMs?: number;
    maxConnections?: number;
  } = {},
) {
  const probe = createProbe();
  const logs = createLogCapture('debug');
  const server: Server = createServer({
    router: createTestRouter(probe),
    logger: logs.logger,
    maxCallsPerConnection: options.maxCallsPerConnection,
  });
  open.track({ close: () => server.close({ graceMs: 0 }) });
  const bound = await server.listen({
    tcp: {
      host: '127.0.0.1',
      port: 0,
      partialFrameTimeoutMs: options.partialFrameTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      maxConnections: options.maxConnections,
    },
  });
  return { server, probe, logs, port: bound.tcp?.port ?? 0 };
}

describe('server limits on TCP', () => {
  it('refuses connections beyond maxConnections with a logged reason and no stack, and keeps serving the others', async () => {
    const { logs, port } = await serve({ maxConnections: 1 });
    const first = open.track(createClient<TestRouter>(`tcp://127.0.0.1:${port}`));
    await expect(first.echo.add({ a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
    const second = open.track(createClient<TestRouter>(`tcp://127.0.0.1:${port}`, { reconnect: { failFast: true } }));

    await expect(second.echo.add({ a: 1, b: 1 }, { timeoutMs: 2_000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await waitFor(() => logs.withMessage('connection refused').length > 0, { what: 'the refusal to be logged' });
    const [refused] = logs.withMessage('connection refused');
    expect(refused).toMatchObject({
      level: 'warn',
      code: 'MAX_CONNECTIONS',
      reason: 'Connection refused: limit of 1 reached',
      peer: { transport: 'tcp', address: '127.0.0.1' },
    });
    // Expected under attack, so no stack: the line says which limit, and from whom.
    expect(JSON.stringify(refused)).not.toContain('stack');
    await expect(first.echo.add({ a: 2, b: 2 })).resolves.toEqual({ sum: 4 });
  });

  it('refuses calls beyond maxCallsPerConnection with RESOURCE_EXHAUSTED, not executed, while other connections go on', async () => {
    const { probe, port } = await serve({ maxCallsPerConnection: 2 });
    const greedy = open.track(createClient<TestRouter>(`tcp://127.0.0.1:${port}`));
    const other = open.track(createClient<TestRouter>(`tcp://127.0.0.1:${port}`));
    const held = [greedy.probe.hold(), greedy.probe.hold()];
    await waitFor(() => probe.holding === 2);

    await expect(greedy.probe.hold()).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED', notExecuted: true });
    await expect(other.echo.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
    probe.release();
    await expect(Promise.all(held)).resolves.toHaveLength(2);
  });

  it('closes a connection that starts a frame and never finishes it (slowloris), logging why', async () => {
    const { logs, port, server } = await serve({ partialFrameTimeoutMs: 100 });
    const slow = open.track(await connectRawTcp(port));
    slow.write(Buffer.from([0, 0, 0, 50, 0x94]));
    await slow.closed;
    await waitFor(() => server.stats.brokenStreams === 1, { what: 'the server to record the closed connection' });

    expect(logs.withMessage('connection closed on error')).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('Frame not completed within 100 ms') }),
    ]);
  });

  it('keeps a connection whose frames complete, however slowly they started', async () => {
    const { port } = await serve({ partialFrameTimeoutMs: 200 });
    const raw = open.track(await connectRawTcp(port));
    const other = open.track(createClient<TestRouter>(`tcp://127.0.0.1:${port}`));
    const request = encodeRequest(1, 'echo.add', { a: 1, b: 1 });
    const frame = Buffer.concat([Buffer.from([0, 0, 0, request.length]), request]);
    raw.write(frame.subarray(0, 3));
    // The rest follows only after a whole call on another connection: a pause the server sees.
    await other.echo.add({ a: 0, b: 0 });
    raw.write(frame.subarray(3));

    expect(decodeResponse(await raw.frames.next())).toMatchObject({ id: 1, result: { sum: 2 } });
    expect(raw.isClosed).toBe(false);
  });

  it('closes an idle connection, but not one with a call still running', async () => {
    const { probe, logs, port } = await serve({ idleTimeoutMs: 100 });
    const idle = open.track(await connectRawTcp(port));
    const busy = open.track(await connectRawTcp(port));
    busy.sendFrame(encodeRequest(1, 'probe.hold', {}));
    await waitFor(() => probe.holding === 1);
    await idle.closed;
    // A connection opened now closes a whole idle period later: the busy one outlived that too.
    const later = open.track(await connectRawTcp(port));
    await later.closed;

    expect(busy.isClosed).toBe(false);
    expect(logs.withMessage('closing an idle connection')).toHaveLength(2);
    probe.release();
    expect(decodeResponse(await busy.frames.next())).toMatchObject({ id: 1, result: { released: true } });
  });

  it('closes an idle connection as a normal close: one info line, not counted as broken', async () => {
    const { logs, port, server } = await serve({ idleTimeoutMs: 50 });
    const idle = open.track(await connectRawTcp(port));
    await idle.closed;
    await waitFor(() => logs.withMessage('connection closed').length === 1, { what: 'the server to see the close' });

    const infoOrAbove = logs.lines.filter(
      (line) => line.level !== 'debug' && line.level !== 'trace' && line.msg !== 'listening',
    );
    expect(infoOrAbove).toEqual([expect.objectContaining({ level: 'info', msg: 'closing an idle connection' })]);
    expect(server.stats.brokenStreams).toBe(0);
  });

  it('stops reading from a client that never reads its replies, so the server buffers a bounded amount', async () => {
    const { port, server } = await serve();
    const raw = open.track(await connectRawTcp(port));
    raw.socket.pause(); // never read: replies pile up in the kernel buffers, then the server stops reading
    const request = encodeRequest(1, 'probe.big', { chars: 60_000 });
    const frame = Buffer.concat([Buffer.from([0, 0, (request.length >> 8) & 0xff, request.length & 0xff]), request]);
    let written = 0;
    // Write until our own socket refuses more: the server has stopped reading from us.
    while (raw.socket.write(frame)) written++;
    // Until the server has run all it read: its count of calls stops moving.
    const callsServed = await waitForQuiet(() => server.stats.calls, { quietMs: 300, what: 'the calls served' });
    for (let i = 0; i < 200; i++) raw.socket.write(frame);
    await waitForQuiet(() => server.stats.calls, { quietMs: 300, what: 'the calls served' });

    // Each call answers 60 KB: the server ran only as many as its socket buffers could take,
    // and none of the 200 written after it stopped reading.
    expect(written).toBeGreaterThan(0);
    expect(callsServed).toBeLessThan(1_000);
    expect(server.stats.calls).toBe(callsServed);
  });
});
