/**
 * Call statistics over real UDP and TCP sockets: every kind of request a server can receive lands
 * in the right series (procedure, transport) under the right code, or among the replays and
 * dropped duplicates. With them this proves the server observer API sees every kind of request,
 * once each: a recording observer beside the built-in one checks that every request it was shown
 * ended exactly once, with the answer the server gave.
 */
import { type ClientOptions, createClient, type VolleyClient } from '@volley/client';
import type { CallSeriesSnapshot, ObservedServerCall, ServerAnswer, ServerObserver } from '@volley/server';
import type { TransportKind } from '@volley/transport';
import { HEALTH_PROCEDURE, KIND, type ResponseEnvelope } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRawTcp,
  createProbe,
  createTestRouter,
  decodeEnvelope,
  decodeResponse,
  encodeRequest,
  errorOf,
  openRawUdp,
  type Probe,
  Resources,
  startTestServer,
  type TestRouter,
  type TestServer,
  type TestServerOptions,
  waitFor,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

const clientId = Buffer.from('0102030405060708', 'hex');

/** What a recording observer was told at a request's end. */
interface Ended {
  procedure: string | undefined;
  known: boolean;
  transport: TransportKind;
  answer: ServerAnswer;
  code: string;
}

/** An observer that records every request's end and counts starts, to prove each ends exactly once. */
function createRecorder() {
  let started = 0;
  const ended: Ended[] = [];
  const observer: ServerObserver = {
    onCall() {
      started++;
      let ends = 0;
      return {
        end(call: ObservedServerCall) {
          if (++ends > 1) throw new Error(`request to ${call.procedure} ended twice`);
          const { procedure, known, transport, answer, code } = call;
          ended.push({ procedure, known, transport, answer, code });
        },
      };
    },
  };
  return {
    observer,
    ended,
    get started() {
      return started;
    },
  };
}

interface Setup {
  app: TestServer;
  probe: Probe;
  recorder: ReturnType<typeof createRecorder>;
  /** The series of `procedure` over `transport`, as the server's call statistics have it now. */
  series(procedure: string, transport: TransportKind): CallSeriesSnapshot | undefined;
  /** Every request the observers were shown has ended, once, and none is counted in flight. */
  expectAllEnded(): Promise<void>;
}

async function setup(options: TestServerOptions['server'] = {}, listen: Omit<TestServerOptions, 'server'> = {}) {
  const probe = createProbe();
  const recorder = createRecorder();
  const app = open.track(
    await startTestServer({
      ...listen,
      router: createTestRouter(probe),
      server: { ...options, observers: [recorder.observer] },
    }),
  );
  const snapshot = () => {
    const stats = app.server.callStats;
    if (stats === undefined) throw new Error('call statistics are off');
    return stats.snapshot();
  };
  const result: Setup = {
    app,
    probe,
    recorder,
    series: (procedure, transport) =>
      snapshot().series.find((one) => one.procedure === procedure && one.transport === transport),
    async expectAllEnded() {
      await waitFor(() => recorder.ended.length === recorder.started, { what: 'every observed request to end' });
      expect(snapshot().series.filter((one) => one.inFlight !== 0)).toEqual([]);
    },
  };
  return result;
}

function clientOf(url: string, options: ClientOptions = {}): VolleyClient<TestRouter> {
  return open.track(createClient<TestRouter>(url, { timeoutMs: 3000, ...options }));
}

describe.each(['udp', 'tcp'] as const)('call statistics over %s', (transport) => {
  const urlOf = (app: TestServer) => (transport === 'udp' ? app.udpUrl : app.tcpUrl);

  it('counts OK calls in their procedure’s series, with durations and both sizes', async () => {
    const { app, series, expectAllEnded } = await setup();
    const client = clientOf(urlOf(app));
    for (let i = 0; i < 3; i++) await client.probe.add({ a: i, b: 1 });

    const add = series('probe.add', transport);
    expect(add).toMatchObject({ procedure: 'probe.add', transport, calls: { OK: 3 }, inFlight: 0 });
    expect(add?.durationMs).toMatchObject({ count: 3 });
    expect(add?.durationMs.min).toBeGreaterThan(0);
    expect(add?.requestBytes.count).toBe(3);
    expect(add?.requestBytes.min).toBeGreaterThan(15);
    expect(add?.responseBytes.min).toBeGreaterThan(5);
    await expectAllEnded();
  });

  it('counts calls to a name the server lacks under _OTHER, never under the name', async () => {
    const { app, series, recorder, expectAllEnded } = await setup();
    const client = clientOf(urlOf(app));
    for (const name of ['no.such', 'kv.gte', '$secret'])
      expect(await errorOf(client.call(name))).toMatchObject({ code: 'NOT_FOUND' });

    expect(series('_OTHER', transport)?.calls).toEqual({ OK: 0, NOT_FOUND: 3 });
    const names = app.server.callStats?.snapshot().series.map((one) => one.procedure);
    // Beside the UDP client's incarnation probe, `$health`.
    expect(names?.filter((name) => name !== HEALTH_PROCEDURE)).toEqual(['_OTHER']);
    // Observers are told the name, marked untrusted.
    expect(recorder.ended).toContainEqual(expect.objectContaining({ procedure: 'kv.gte', known: false }));
    await expectAllEnded();
  });

  it('counts invalid input as BAD_REQUEST, and handler errors by their code, in the procedure’s series', async () => {
    const { app, series, expectAllEnded } = await setup();
    const client = clientOf(urlOf(app));
    expect(await errorOf(client.call('probe.add', { a: 'one' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(client.probe.refuse())).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(await errorOf(client.probe.crash())).toMatchObject({ code: 'INTERNAL' });

    expect(series('probe.add', transport)?.calls).toEqual({ OK: 0, BAD_REQUEST: 1 });
    expect(series('probe.refuse', transport)?.calls).toEqual({ OK: 0, PERMISSION_DENIED: 1 });
    expect(series('probe.crash', transport)?.calls).toEqual({ OK: 0, INTERNAL: 1 });
    await expectAllEnded();
  });

  it('counts a held call in flight, and a call refused by a saturated server as RESOURCE_EXHAUSTED', async () => {
    const { app, probe, series, recorder, expectAllEnded } = await setup({ maxInFlight: 1 });
    const client = clientOf(urlOf(app));
    const held = client.probe.hold();
    await waitFor(() => probe.holding === 1, { what: 'the held call to run' });
    expect(series('probe.hold', transport)?.inFlight).toBe(1);

    expect(await errorOf(client.probe.add({ a: 1, b: 1 }))).toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    probe.release();
    await held;

    expect(series('probe.add', transport)?.calls).toEqual({ OK: 0, RESOURCE_EXHAUSTED: 1 });
    expect(series('probe.hold', transport)).toMatchObject({ calls: { OK: 1 }, inFlight: 0 });
    expect(recorder.ended).toContainEqual(
      expect.objectContaining({ procedure: 'probe.add', answer: 'refused', code: 'RESOURCE_EXHAUSTED' }),
    );
    await expectAllEnded();
  });

  it('counts a call cancelled by its caller as CANCELLED', async () => {
    const { app, probe, series, expectAllEnded } = await setup();
    const client = clientOf(urlOf(app));
    const abort = new AbortController();
    const held = client.probe.hold(undefined, { signal: abort.signal });
    await waitFor(() => probe.holding === 1, { what: 'the held call to run' });
    abort.abort();
    expect(await errorOf(held)).toMatchObject({ code: 'CANCELLED' });

    await waitFor(() => series('probe.hold', transport)?.calls.CANCELLED === 1, { what: 'the cancel to count' });
    await expectAllEnded();
  });

  it('counts a call past its deadline as DEADLINE_EXCEEDED', async () => {
    const { app, probe, series, expectAllEnded } = await setup();
    const client = clientOf(urlOf(app));
    expect(await errorOf(client.probe.hold(undefined, { timeoutMs: 100 }))).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
    });

    await waitFor(() => series('probe.hold', transport)?.calls.DEADLINE_EXCEEDED === 1, {
      what: 'the deadline to count',
    });
    expect(probe.holding).toBe(0);
    await expectAllEnded();
  });

  it('counts a malformed message under _OTHER as BAD_REQUEST, refused', async () => {
    const { app, series, recorder, expectAllEnded } = await setup();
    // A map where the envelope array should be, long enough (≥ 28 bytes) to be answered over UDP.
    const garbage = Buffer.from([0x81, 0xa1, 0x78, 0xd9, 0x20, ...Buffer.from('y'.repeat(32))]);
    if (transport === 'udp') {
      const raw = open.track(await openRawUdp(app.udpPort));
      await raw.send(garbage);
      expect(decodeResponse(await raw.received.next())).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    } else {
      const raw = open.track(await connectRawTcp(app.tcpPort));
      raw.sendFrame(garbage);
      expect(decodeResponse(await raw.frames.next())).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    }

    expect(series('_OTHER', transport)?.calls).toEqual({ OK: 0, BAD_REQUEST: 1 });
    expect(recorder.ended).toEqual([
      { procedure: undefined, known: false, transport, answer: 'refused', code: 'BAD_REQUEST' },
    ]);
    await expectAllEnded();
  });

  it('counts calls refused while draining as UNAVAILABLE, and the running call to its end', async () => {
    const { app, probe, series, expectAllEnded } = await setup();
    const client = clientOf(urlOf(app));
    // Opened before the drain: a draining server accepts no new connection, but reads the old ones.
    const late =
      transport === 'udp'
        ? await openRawUdp(app.udpPort).then((raw) => open.track(raw))
        : await connectRawTcp(app.tcpPort).then((raw) => open.track(raw));
    const held = client.probe.hold();
    await waitFor(() => probe.holding === 1, { what: 'the held call to run' });
    const closing = app.server.close({ graceMs: 5000 });

    const request = encodeRequest(9, 'probe.add', { a: 1, b: 2 }, { clientId });
    let reply: ResponseEnvelope;
    if ('sendFrame' in late) {
      late.sendFrame(request);
      // The goaway the drain sent every connection comes first.
      expect(decodeEnvelope(await late.frames.next())).toMatchObject({ kind: KIND.goaway });
      reply = decodeResponse(await late.frames.next());
    } else {
      await late.send(request);
      reply = decodeResponse(await late.received.next());
    }
    // No `notExecuted` on the wire: UNAVAILABLE from a server says "not executed" by default.
    expect(reply).toMatchObject({ id: 9, error: { code: 'UNAVAILABLE' } });
    expect(reply.error).not.toHaveProperty('notExecuted');
    expect(series('probe.add', transport)?.calls).toEqual({ OK: 0, UNAVAILABLE: 1 });

    probe.release();
    await held;
    await closing;
    expect(series('probe.hold', transport)?.calls).toEqual({ OK: 1 });
    await expectAllEnded();
  });
});

describe('call statistics of UDP retransmissions', () => {
  async function rawSetup(options: TestServerOptions['server'] = {}) {
    const context = await setup(options);
    const raw = open.track(await openRawUdp(context.app.udpPort));
    return { ...context, raw };
  }

  it('counts a retransmission answered from the reply cache as replayed, not as a second call', async () => {
    const { raw, probe, series, recorder, expectAllEnded } = await rawSetup();
    for (const attempt of [1, 2, 3]) {
      await raw.send(encodeRequest(1, 'probe.bump', { n: 7 }, { attempt, clientId }));
      expect(decodeResponse(await raw.received.next())).toMatchObject({ id: 1, result: { n: 7 } });
    }

    expect(probe.executionsOf(7)).toBe(1);
    expect(series('probe.bump', 'udp')).toMatchObject({ calls: { OK: 1 }, replayed: 2, dropped: 0 });
    expect(series('probe.bump', 'udp')?.durationMs.count).toBe(1);
    expect(recorder.ended.map((one) => one.answer)).toEqual(['dispatched', 'replayed', 'replayed']);
    await expectAllEnded();
  });

  it('counts a retransmission of a call still running as dropped', async () => {
    const { raw, probe, series, recorder, expectAllEnded } = await rawSetup();
    await raw.send(encodeRequest(2, 'probe.hold', {}, { attempt: 1, clientId }));
    await waitFor(() => probe.holding === 1, { what: 'the held call to run' });
    await raw.send(encodeRequest(2, 'probe.hold', {}, { attempt: 2, clientId }));
    await waitFor(() => series('probe.hold', 'udp')?.dropped === 1, { what: 'the duplicate to be dropped' });
    expect(series('probe.hold', 'udp')?.inFlight).toBe(1);

    probe.release();
    expect(decodeResponse(await raw.received.next())).toMatchObject({ id: 2, result: { released: true } });
    expect(series('probe.hold', 'udp')).toMatchObject({ calls: { OK: 1 }, dropped: 1, replayed: 0, inFlight: 0 });
    expect(recorder.ended.map((one) => one.answer)).toEqual(['dropped', 'dispatched']);
    await expectAllEnded();
  });

  it('counts a retransmission first sent to another incarnation as refused, UNAVAILABLE', async () => {
    const { app, raw, probe, series, recorder, expectAllEnded } = await rawSetup();
    const other = app.server.incarnation === 1 ? 2 : app.server.incarnation - 1;
    // Padded: to a source without a cookie, the refusal must fit in 3× the request.
    const request = encodeRequest(
      3,
      'probe.bump',
      { n: 1, pad: 'x'.repeat(64) },
      { attempt: 2, clientId, incarnation: other },
    );
    await raw.send(request);
    expect(decodeResponse(await raw.received.next())).toMatchObject({ error: { code: 'UNAVAILABLE' } });

    expect(probe.executionsOf(1)).toBe(0);
    expect(series('probe.bump', 'udp')?.calls).toEqual({ OK: 0, UNAVAILABLE: 1 });
    expect(recorder.ended).toEqual([
      { procedure: 'probe.bump', known: true, transport: 'udp', answer: 'refused', code: 'UNAVAILABLE' },
    ]);
    await expectAllEnded();
  });

  it('counts a reply too large for a datagram once, over UDP, and its fetch over TCP as replayed', async () => {
    const { app, probe, series, expectAllEnded } = await setup();
    const client = clientOf(app.udpUrl);
    expect((await client.probe.big({ chars: 5000 })).text).toHaveLength(5000);

    expect(probe.bigExecutions).toBe(1);
    expect(app.server.stats.truncatedReplies).toBe(1);
    const big = series('probe.big', 'udp');
    expect(big).toMatchObject({ calls: { OK: 1 }, replayed: 0 });
    // The reply body as encoded, before truncation: what the caller finally received.
    expect(big?.responseBytes.min).toBeGreaterThan(5000);
    expect(series('probe.big', 'tcp')).toMatchObject({ calls: { OK: 0 }, replayed: 1 });
    await expectAllEnded();
  });
});

describe('call statistics of stream connections', () => {
  it('counts a call whose connection closed under it as CANCELLED', async () => {
    const { app, probe, series, expectAllEnded } = await setup();
    const raw = open.track(await connectRawTcp(app.tcpPort));
    raw.sendFrame(encodeRequest(1, 'probe.hold', {}));
    await waitFor(() => probe.holding === 1, { what: 'the held call to run' });
    await raw.destroy();

    await waitFor(() => series('probe.hold', 'tcp')?.calls.CANCELLED === 1, { what: 'the abandoned call to count' });
    await expectAllEnded();
  });

  it('counts a call over the connection’s limit as RESOURCE_EXHAUSTED', async () => {
    const { app, probe, series, expectAllEnded } = await setup({ maxCallsPerConnection: 1 });
    const client = clientOf(app.tcpUrl);
    const held = client.probe.hold();
    await waitFor(() => probe.holding === 1, { what: 'the held call to run' });
    expect(await errorOf(client.probe.add({ a: 1, b: 1 }))).toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    probe.release();
    await held;

    expect(series('probe.add', 'tcp')?.calls).toEqual({ OK: 0, RESOURCE_EXHAUSTED: 1 });
    await expectAllEnded();
  });
});

describe('call statistics of a signing server', () => {
  it('counts an unsigned request under _OTHER as UNAUTHENTICATED, refused before it is read', async () => {
    const { app, series, recorder, expectAllEnded } = await setup(
      {},
      { udp: { signing: { keys: { k1: 'first secret, at least 32 bytes long!!' } } } },
    );
    const [udp, tcp] = [clientOf(app.udpUrl), clientOf(app.tcpUrl)];
    for (const client of [udp, tcp])
      expect(await errorOf(client.probe.add({ a: 1, b: 1 }))).toMatchObject({ code: 'UNAUTHENTICATED' });

    // Over UDP the client's incarnation probe (`$health`, sent just before) is refused the same way.
    expect(series('_OTHER', 'udp')?.calls).toEqual({ OK: 0, UNAUTHENTICATED: 1 + udp.stats.incarnationProbes });
    expect(series('_OTHER', 'tcp')?.calls).toEqual({ OK: 0, UNAUTHENTICATED: 1 });
    expect(series('probe.add', 'udp')).toBeUndefined();
    expect(recorder.ended.every((one) => one.procedure === undefined && one.answer === 'refused')).toBe(true);
    await expectAllEnded();
  });
});

describe('call statistics beside the server’s counters', () => {
  it('show every request the counters saw, and are off with callStats: false', async () => {
    const { app, probe, recorder, expectAllEnded } = await setup({ maxInFlight: 2 });
    const udp = clientOf(app.udpUrl);
    const tcp = clientOf(app.tcpUrl);
    await Promise.all([udp.probe.add({ a: 1, b: 2 }), tcp.probe.add({ a: 1, b: 2 })]);
    await errorOf(udp.call('no.such'));
    const held = [udp.probe.hold(), tcp.probe.hold()];
    await waitFor(() => probe.holding === 2, { what: 'two held calls' });
    await errorOf(udp.probe.add({ a: 1, b: 1 }));
    probe.release();
    await Promise.all(held);
    await expectAllEnded();

    const stats = app.server.stats;
    const series = app.server.callStats?.snapshot().series ?? [];
    const total = (code: string) => series.reduce((sum, one) => sum + (one.calls[code] ?? 0), 0);
    const dispatched = recorder.ended.filter((one) => one.answer === 'dispatched').length;
    expect(dispatched).toBe(stats.calls);
    expect(total('OK') + total('NOT_FOUND')).toBe(stats.calls);
    expect(total('RESOURCE_EXHAUSTED')).toBe(stats.overloadRejected);

    const off = open.track(await startTestServer({ server: { callStats: false } }));
    expect(off.server.callStats).toBeUndefined();
  });
});
