import type { ClientConnection, ConnectionHandlers } from '@volley/transport';
import { createCodec, type Envelope, HEALTH_PROCEDURE, KIND, type RequestEnvelope } from '@volley/wire';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientCore } from './client-core.js';

const codec = createCodec();

/**
 * A connection whose "server" is the test: it records what was sent and can answer. `requests()`
 * are the calls' requests; `probes()` the `$health` requests, the client's incarnation probes.
 */
function fakeConnection(datagram: boolean) {
  const sent: Envelope[] = [];
  let handlers: ConnectionHandlers | undefined;
  const connection: ClientConnection = {
    kind: datagram ? 'udp' : 'tcp',
    peer: { transport: datagram ? 'udp' : 'tcp', address: '127.0.0.1', port: 1 },
    mode: datagram ? ('datagram' as const) : ('stream' as const),
    maxMessageBytes: datagram ? 1200 : 16 * 1024 * 1024,
    send(bytes) {
      const decoded = codec.decode(bytes);
      if (decoded.ok) sent.push(decoded.value);
      return true;
    },
    close() {
      handlers?.onClose();
    },
  };
  const connect = async (h: ConnectionHandlers) => {
    handlers = h;
    return connection;
  };
  const reply = (envelope: Envelope) => handlers?.onMessage(codec.encode(envelope));
  const all = () => sent.filter((e): e is RequestEnvelope => e.kind === KIND.request);
  const requests = () => all().filter((e) => e.method !== HEALTH_PROCEDURE);
  const probes = () => all().filter((e) => e.method === HEALTH_PROCEDURE);
  return { connect, reply, requests, probes, all, sent, drop: () => handlers?.onClose(new Error('reset')) };
}

type Fake = ReturnType<typeof fakeConnection>;

/** Answers `request` (or the first request for that method) with "ok", as a UDP server would. */
function reply(
  fake: Fake,
  core: ClientCore,
  request: RequestEnvelope | string,
  meta: { incarnation?: number; attempt?: number },
): void {
  const to = typeof request === 'string' ? fake.requests().find((r) => r.method === request) : request;
  fake.reply({
    kind: KIND.response,
    id: to?.id ?? -1,
    result: 'ok',
    meta: { attempt: meta.attempt ?? to?.meta?.attempt, clientId: core.clientId, incarnation: meta.incarnation },
  });
}

/** The `i` of each transmission of `method`'s call, in order. */
function incarnations(fake: Fake, method: string): Array<number | undefined> {
  return fake
    .requests()
    .filter((r) => r.method === method)
    .map((r) => r.meta?.incarnation);
}

describe('ClientCore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('matches replies that arrive in any order to their calls', async () => {
    const fake = fakeConnection(false);
    const core = new ClientCore(fake.connect, { mode: 'stream', target: 'test' });
    const first = core.call('a', 1);
    const second = core.call('b', 2);
    await vi.advanceTimersByTimeAsync(0);
    const [r1, r2] = fake.requests();
    fake.reply({ kind: KIND.response, id: r2?.id ?? -1, result: 'two' });
    fake.reply({ kind: KIND.response, id: r1?.id ?? -1, result: 'one' });
    expect(await Promise.all([first, second])).toEqual(['one', 'two']);
    await core.close();
  });

  it('sends the remaining timeout as the deadline and fails with DEADLINE_EXCEEDED when it passes', async () => {
    const fake = fakeConnection(false);
    const core = new ClientCore(fake.connect, { mode: 'stream', target: 'test' });
    const call = core.call('slow', undefined, { timeoutMs: 300 });
    const outcome = call.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.requests()[0]?.meta?.deadlineMs).toBe(300);
    await vi.advanceTimersByTimeAsync(300);
    expect(await outcome).toMatchObject({ code: 'DEADLINE_EXCEEDED', notExecuted: false, local: true });
    expect(core.pendingCount).toBe(0);
  });

  it('tells an observer how a call ended before settling it, and lets it take a failure over', async () => {
    const fake = fakeConnection(false);
    const core = new ClientCore(fake.connect, { mode: 'stream', target: 'test' });
    const seen: string[] = [];
    const ok = core.call('a', 1, undefined, {
      succeeded: () => seen.push('succeeded'),
      failed: () => false,
    });
    const taken = core.call('b', 2, undefined, {
      succeeded: () => seen.push('never'),
      failed: (error, resolve) => {
        seen.push(`failed ${error.code}`);
        resolve('from the observer');
        return true;
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    const [a, b] = fake.requests();
    fake.reply({ kind: KIND.response, id: a?.id ?? -1, result: 'one' });
    fake.reply({ kind: KIND.response, id: b?.id ?? -1, error: { code: 'UNAVAILABLE', message: 'draining' } });
    expect(await ok).toBe('one');
    expect(await taken).toBe('from the observer');
    expect(seen).toEqual(['succeeded', 'failed UNAVAILABLE']);
    await core.close();
  });

  it('retransmits a UDP call with the same msgid on an exact, jittered, doubling schedule within the deadline', async () => {
    const fake = fakeConnection(true);
    // Idempotent: no incarnation probe, whose wait would move the first retransmission (tested below).
    const core = new ClientCore(fake.connect, {
      mode: 'datagram',
      target: 'test',
      retransmit: { random: () => 0.5 },
      procedures: { lost: { idempotent: true } },
    });
    const outcome = core.call('lost', undefined, { timeoutMs: 3000 }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    const times: number[] = [];
    for (let t = 0; t <= 3000; t += 5) {
      const before = fake.requests().length;
      await vi.advanceTimersByTimeAsync(5);
      if (fake.requests().length > before) times.push(t + 5);
    }
    const requests = fake.requests();
    expect(new Set(requests.map((r) => r.id)).size).toBe(1);
    expect(requests.map((r) => r.meta?.attempt)).toEqual([1, 2, 3, 4]);
    // Initial RTO 200 ms doubled per attempt, times jitter 1 + 0.25 × 0.5: waits of 225, 450, 900;
    // the next (1800 ms, due at 3375) would pass the 3000 ms deadline.
    expect(times).toEqual([225, 675, 1575]);
    expect(await outcome).toMatchObject({ code: 'DEADLINE_EXCEEDED', notExecuted: false });
  });

  it('caps each wait at the RTO ceiling and stops after the most retransmissions allowed', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, {
      mode: 'datagram',
      target: 'test',
      retransmit: { random: () => 0, initialRtoMs: 100, maxRtoMs: 300, maxRetransmits: 4 },
      procedures: { lost: { idempotent: true } },
    });
    const outcome = core.call('lost', undefined, { timeoutMs: 5000 }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5000);
    // Sent at 0, then after waits of 100, 200, 300 (capped), 300 (capped): 1 + 4 retransmissions.
    expect(fake.requests().map((r) => r.meta?.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(core.stats.retransmits).toBe(4);
    expect(await outcome).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
  });

  it('takes a clean RTT sample from a reply that echoes the attempt it answers', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, {
      mode: 'datagram',
      target: 'test',
      retransmit: { random: () => 0, minRtoMs: 1 },
    });
    const call = core.call('x', undefined);
    await vi.advanceTimersByTimeAsync(10);
    const request = fake.requests()[0];
    fake.reply({
      kind: KIND.response,
      id: request?.id ?? -1,
      result: 'ok',
      meta: { attempt: 1, clientId: core.clientId },
    });
    expect(await call).toBe('ok');
    // First sample R = 10: SRTT 10, RTTVAR 5, RTO = 10 + 4 × 5.
    expect(core.rtoMs).toBe(30);
  });

  it('never accepts a UDP reply that does not carry its client id', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test' });
    const call = core.call('x', undefined);
    await vi.advanceTimersByTimeAsync(0);
    const id = fake.requests()[0]?.id ?? -1;
    fake.reply({ kind: KIND.response, id, result: 'forged', meta: { clientId: Buffer.alloc(8, 7) } });
    fake.reply({ kind: KIND.response, id, result: 'forged too' });
    fake.reply({ kind: KIND.response, id, result: 'real', meta: { clientId: core.clientId } });
    expect(await call).toBe('real');
    expect(core.stats.forgedReplies).toBe(2);
  });

  it('echoes the server incarnation only on retransmissions, and only the one known when the call was first sent', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test', retransmit: { random: () => 0 } });
    const warmup = core.call('warmup', undefined);
    await vi.advanceTimersByTimeAsync(0);
    reply(fake, core, 'warmup', { incarnation: 11 });
    await warmup;
    const after = core.call('after', undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    // The server restarts: a reply from incarnation 22 arrives before the retransmissions.
    const restarted = core.call('restarted', undefined);
    await vi.advanceTimersByTimeAsync(0);
    reply(fake, core, 'restarted', { incarnation: 22 });
    await restarted;
    await vi.advanceTimersByTimeAsync(500);

    const knownAtFirst = incarnations(fake, 'after');
    expect(knownAtFirst.length).toBeGreaterThanOrEqual(2);
    // 11 even after the reply from 22: the value known at the first transmission, not the latest.
    expect(knownAtFirst).toEqual([undefined, ...knownAtFirst.slice(1).map(() => 11)]);
    expect(incarnations(fake, 'restarted')).toEqual([undefined]);
    await core.close();
    await after;
  });

  it('sends one $health probe just before the first transmission of the first non-idempotent call, and no other', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test' });
    const calls = [core.call('debit', 1), core.call('debit', 2)];
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.all().map((r) => [r.method, r.meta?.attempt])).toEqual([
      ['$health', 1],
      ['debit', 1],
      ['debit', 1],
    ]);
    for (const request of fake.requests()) reply(fake, core, request, { incarnation: 11 });
    expect(await Promise.all(calls)).toEqual(['ok', 'ok']);
    // Every call it could serve has adopted an incarnation: the probe is over, silently.
    expect(core.pendingCount).toBe(0);
    expect(core.stats).toMatchObject({ calls: 2, incarnationProbes: 1, timeouts: 0 });
  });

  it("holds a blind call's first retransmission until the probe is answered, then echoes the incarnation it revealed", async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test', retransmit: { random: () => 0 } });
    const outcome = core.call('debit', undefined).catch((error: unknown) => error);
    // Due at 200 ms, the retransmission waits: the probe's reply is late, not lost.
    await vi.advanceTimersByTimeAsync(250);
    expect(incarnations(fake, 'debit')).toEqual([undefined]);
    reply(fake, core, fake.probes()[0] as RequestEnvelope, { incarnation: 11, attempt: 1 });
    await vi.advanceTimersByTimeAsync(0);

    expect(fake.requests().map((r) => r.meta)).toMatchObject([{ attempt: 1 }, { attempt: 2, incarnation: 11 }]);
    expect(fake.requests()[0]?.meta).not.toHaveProperty('incarnation');
    expect(core.stats).toMatchObject({ incarnationProbes: 1, retransmits: 2 });
    await core.close();
    await outcome;
  });

  it('retransmits a held call without an incarnation one interval later when the probe stays silent', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test', retransmit: { random: () => 0 } });
    const outcome = core.call('debit', undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    const times: number[] = [];
    for (let t = 0; t <= 1500; t += 5) {
      const before = fake.requests().length;
      await vi.advanceTimersByTimeAsync(5);
      if (fake.requests().length > before) times.push(t + 5);
    }
    // Waits of 200 (held for one more), 400, then 800: only the first retransmission waits.
    expect(times).toEqual([400, 800]);
    expect(incarnations(fake, 'debit')).toEqual([undefined, undefined, undefined]);
    await core.close();
    await outcome;
  });

  it('lets a call first sent with nothing known adopt the incarnation of the earliest transmission answered, never of a later one over it', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test', retransmit: { random: () => 0 } });
    const zero = core.call('zero', undefined);
    const early = core.call('early', undefined).catch((error: unknown) => error);
    // At 200 ms the probe retransmits, and the two calls wait for it: its first datagram was lost.
    await vi.advanceTimersByTimeAsync(210);
    // An answer to the probe's second transmission (200 ms, after the calls left): adopted, for want of better.
    reply(fake, core, fake.probes()[1] as RequestEnvelope, { incarnation: 11 });
    await vi.advanceTimersByTimeAsync(50);
    // A late answer to "zero"'s first transmission, which left no later than "early"'s: better evidence.
    reply(fake, core, fake.requests()[0] as RequestEnvelope, { incarnation: 22 });
    expect(await zero).toBe('ok');
    await vi.advanceTimersByTimeAsync(40);
    // An answer to a transmission sent at 300 ms changes nothing for "early".
    const late = core.call('late', undefined);
    await vi.advanceTimersByTimeAsync(0);
    reply(fake, core, 'late', { incarnation: 33 });
    expect(await late).toBe('ok');
    await vi.advanceTimersByTimeAsync(400);

    expect(fake.probes().map((r) => r.meta?.attempt)).toEqual([1, 2]);
    const [first, second, ...later] = incarnations(fake, 'early');
    expect([first, second]).toEqual([undefined, 11]);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((i) => i === 22)).toBe(true);
    expect(incarnations(fake, 'zero')).toEqual([undefined, 11]);
    await core.close();
    await early;
  });

  it('adopts the incarnation of a cookie challenge to the probe, the reply the server sends first when its answer is large', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test', retransmit: { random: () => 0 } });
    const outcome = core.call('debit', undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    const probe = fake.probes()[0] as RequestEnvelope;
    fake.reply({
      kind: KIND.response,
      id: probe.id,
      meta: { attempt: 1, clientId: core.clientId, incarnation: 11, cookie: Buffer.alloc(16, 1) },
    });
    await vi.advanceTimersByTimeAsync(250);

    // The challenge did the probe's job: it ended there, and the call it served echoes 11 (and the cookie).
    expect(fake.probes()).toHaveLength(1);
    expect(core.pendingCount).toBe(1);
    expect(fake.requests().map((r) => r.meta)).toMatchObject([
      { attempt: 1 },
      { attempt: 2, incarnation: 11, cookie: Buffer.alloc(16, 1) },
    ]);
    await core.close();
    await outcome;
  });

  it('probes no more once a probe was answered without an incarnation: the server sends none', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test' });
    const first = core.call('debit', 1);
    await vi.advanceTimersByTimeAsync(0);
    reply(fake, core, fake.probes()[0] as RequestEnvelope, {});
    reply(fake, core, 'debit', {});
    expect(await first).toBe('ok');
    const second = core.call('debit', 2);
    await vi.advanceTimersByTimeAsync(0);
    reply(fake, core, fake.requests()[1] as RequestEnvelope, {});
    expect(await second).toBe('ok');

    expect(fake.probes()).toHaveLength(1);
    expect(core.stats.incarnationProbes).toBe(1);
  });

  it('sends no probe for idempotent procedures and built-ins, and never holds their retransmissions', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, {
      mode: 'datagram',
      target: 'test',
      retransmit: { random: () => 0 },
      procedures: { get: { idempotent: true } },
    });
    const calls = [core.call('get', undefined), core.call(HEALTH_PROCEDURE, undefined)].map((call) =>
      call.catch((error: unknown) => error),
    );
    await vi.advanceTimersByTimeAsync(200);

    expect(core.stats.incarnationProbes).toBe(0);
    expect(fake.all().map((r) => [r.method, r.meta?.attempt])).toEqual([
      ['get', 1],
      ['$health', 1],
      ['get', 2],
      ['$health', 2],
    ]);
    await core.close();
    await Promise.all(calls);
  });

  it('sends no probe once an incarnation is known, such as from a $health call of its own (a balanced client probes first)', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test', retransmit: { random: () => 0 } });
    const health = core.call(HEALTH_PROCEDURE, undefined);
    await vi.advanceTimersByTimeAsync(0);
    reply(fake, core, fake.probes()[0] as RequestEnvelope, { incarnation: 11 });
    await health;
    const outcome = core.call('debit', undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(200);

    expect(core.stats.incarnationProbes).toBe(0);
    expect(fake.probes()).toHaveLength(1);
    const [first, ...retransmissions] = incarnations(fake, 'debit');
    expect(first).toBeUndefined();
    expect(retransmissions.length).toBeGreaterThan(0);
    expect(retransmissions.every((i) => i === 11)).toBe(true);
    await core.close();
    await outcome;
  });

  it('fails a call the restarted server refused as may have executed, without retrying it, and counts it', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, {
      mode: 'datagram',
      target: 'test',
      retry: { maxAttempts: 3 },
      retransmit: { random: () => 0 },
    });
    const warmup = core.call('warmup', undefined);
    await vi.advanceTimersByTimeAsync(0);
    fake.reply({
      kind: KIND.response,
      id: fake.requests()[0]?.id ?? -1,
      result: 'ok',
      meta: { attempt: 1, clientId: core.clientId, incarnation: 11 },
    });
    await warmup;
    const outcome = core.call('debit', undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(250);
    const debits = () => fake.requests().filter((r) => r.method === 'debit');
    const retransmission = debits()[1];
    expect(retransmission?.meta).toMatchObject({ attempt: 2, incarnation: 11 });
    const sent = debits().length;
    const error = {
      code: 'UNAVAILABLE',
      message: 'Server restarted since the call was first sent; it may have run before',
      notExecuted: false,
    };
    fake.reply({
      kind: KIND.response,
      id: retransmission?.id ?? -1,
      error,
      meta: { attempt: 2, clientId: core.clientId, incarnation: 22 },
    });

    expect(await outcome).toMatchObject({ code: 'UNAVAILABLE', notExecuted: false });
    expect(core.stats).toMatchObject({ incarnationRefusals: 1, callRetries: 0 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(debits()).toHaveLength(sent);
    await core.close();
  });

  it('keeps echoing the incarnation known at the first transmission when the call moves to the TCP route', async () => {
    const udp = fakeConnection(true);
    const tcp = fakeConnection(false);
    const core = new ClientCore(udp.connect, { mode: 'datagram', target: 'test', fallback: tcp.connect });
    const warmup = core.call('warmup', undefined);
    await vi.advanceTimersByTimeAsync(0);
    udp.reply({
      kind: KIND.response,
      id: udp.requests()[0]?.id ?? -1,
      result: 'ok',
      meta: { attempt: 1, clientId: core.clientId, incarnation: 11 },
    });
    await warmup;
    const call = core.call('big', undefined);
    await vi.advanceTimersByTimeAsync(0);
    const id = udp.requests()[1]?.id ?? -1;
    udp.reply({
      kind: KIND.response,
      id,
      meta: { attempt: 1, clientId: core.clientId, incarnation: 11, truncated: true },
    });
    await vi.advanceTimersByTimeAsync(0);

    expect(udp.requests()[1]?.meta).not.toHaveProperty('incarnation');
    expect(tcp.requests()).toMatchObject([{ id, meta: { attempt: 2, fetchOnly: true, incarnation: 11 } }]);
    tcp.reply({ kind: KIND.response, id, result: 'the whole reply' });
    expect(await call).toBe('the whole reply');
  });

  it('fetches a truncated reply over the TCP route with the same msgid and client id', async () => {
    const udp = fakeConnection(true);
    const tcp = fakeConnection(false);
    const core = new ClientCore(udp.connect, { mode: 'datagram', target: 'test', fallback: tcp.connect });
    const call = core.call('big', undefined);
    await vi.advanceTimersByTimeAsync(0);
    const id = udp.requests()[0]?.id ?? -1;
    udp.reply({ kind: KIND.response, id, meta: { attempt: 1, clientId: core.clientId, truncated: true } });
    await vi.advanceTimersByTimeAsync(0);
    expect(tcp.requests()).toMatchObject([{ id, meta: { clientId: core.clientId } }]);
    tcp.reply({ kind: KIND.response, id, result: 'the whole reply' });
    expect(await call).toBe('the whole reply');
    expect(core.stats).toMatchObject({ truncatedReplies: 1, tcpFallbacks: 1 });
  });

  it('sends a request too large for a datagram over the TCP route', async () => {
    const udp = fakeConnection(true);
    const tcp = fakeConnection(false);
    const core = new ClientCore(udp.connect, { mode: 'datagram', target: 'test', fallback: tcp.connect });
    const call = core.call('big', 'x'.repeat(5000));
    await vi.advanceTimersByTimeAsync(0);
    expect(udp.requests()).toHaveLength(0);
    const id = tcp.requests()[0]?.id ?? -1;
    tcp.reply({ kind: KIND.response, id, result: 'stored' });
    expect(await call).toBe('stored');
  });

  it('sends a large request over a slow-to-open TCP route once, never retransmitting it', async () => {
    const udp = fakeConnection(true);
    const tcp = fakeConnection(false);
    const slowTcp = (handlers: ConnectionHandlers) =>
      new Promise<ClientConnection>((resolve) => setTimeout(() => resolve(tcp.connect(handlers)), 300));
    const core = new ClientCore(udp.connect, { mode: 'datagram', target: 'test', fallback: slowTcp });
    const call = core.call('big', 'x'.repeat(5000));
    await vi.advanceTimersByTimeAsync(1000);
    expect(tcp.requests()).toHaveLength(1);
    expect(core.stats).toMatchObject({ tcpFallbacks: 1, retransmits: 0 });
    tcp.reply({ kind: KIND.response, id: tcp.requests()[0]?.id ?? -1, result: 'stored' });
    expect(await call).toBe('stored');
  });

  it('keeps at most maxOutstanding UDP calls in flight; the rest wait their turn', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test', maxOutstanding: 2 });
    const calls = [core.call('a', 1), core.call('b', 2), core.call('c', 3)];
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.requests().map((r) => r.method)).toEqual(['a', 'b']);
    const first = fake.requests()[0];
    fake.reply({ kind: KIND.response, id: first?.id ?? -1, result: 'A', meta: { clientId: core.clientId } });
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.requests().map((r) => r.method)).toEqual(['a', 'b', 'c']);
    for (const request of fake.requests().slice(1))
      fake.reply({
        kind: KIND.response,
        id: request.id,
        result: request.method.toUpperCase(),
        meta: { clientId: core.clientId },
      });
    expect(await Promise.all(calls)).toEqual(['A', 'B', 'C']);
  });

  it('fails a call still waiting for a window slot at its deadline as not executed', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test', maxOutstanding: 1 });
    void core.call('a', 1).catch(() => {});
    const waiting = core.call('b', 2, { timeoutMs: 100 }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    expect(await waiting).toMatchObject({ code: 'DEADLINE_EXCEEDED', notExecuted: true });
    expect(fake.requests().map((r) => r.method)).toEqual(['a']);
    await core.close();
  });

  it('sends a cancel and rejects with CANCELLED when the signal aborts', async () => {
    const fake = fakeConnection(false);
    const core = new ClientCore(fake.connect, { mode: 'stream', target: 'test' });
    const controller = new AbortController();
    const outcome = core.call('slow', undefined, { signal: controller.signal }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    expect(await outcome).toMatchObject({ code: 'CANCELLED', notExecuted: false });
    const id = fake.requests()[0]?.id;
    expect(fake.sent.at(-1)).toEqual({ kind: KIND.cancel, id });
  });

  it('fails pending calls with CLOSED on close, and later calls without sending', async () => {
    const fake = fakeConnection(false);
    const core = new ClientCore(fake.connect, { mode: 'stream', target: 'test' });
    const pending = core.call('x', undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    await core.close();
    expect(await pending).toMatchObject({ code: 'CLOSED', notExecuted: false });
    await expect(core.call('y', undefined)).rejects.toMatchObject({ code: 'CLOSED', notExecuted: true });
  });

  it('fails calls in flight with UNAVAILABLE (may have executed) when the connection drops', async () => {
    const fake = fakeConnection(false);
    const core = new ClientCore(fake.connect, { mode: 'stream', target: 'test' });
    const pending = core.call('x', undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    fake.drop();
    expect(await pending).toMatchObject({ code: 'UNAVAILABLE', notExecuted: false });
  });

  it('refuses a request larger than a datagram, before sending, when there is no TCP route', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test' });
    await expect(core.call('big', 'x'.repeat(2000))).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      notExecuted: true,
    });
    expect(fake.requests()).toHaveLength(0);
  });

  it('drops replies that match no pending call', async () => {
    const fake = fakeConnection(false);
    const core = new ClientCore(fake.connect, { mode: 'stream', target: 'test' });
    const call = core.call('x', undefined);
    await vi.advanceTimersByTimeAsync(0);
    fake.reply({ kind: KIND.response, id: 12345, result: 'forged' });
    fake.reply({ kind: KIND.response, id: fake.requests()[0]?.id ?? -1, result: 'real' });
    expect(await call).toBe('real');
    expect(core.stats.unmatchedReplies).toBe(1);
  });

  it('fails a call whose input MessagePack cannot carry with a local BAD_REQUEST, without crashing', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { mode: 'datagram', target: 'test' });
    const outcome = core.call('add', { a: 2n ** 70n }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await outcome).toMatchObject({ code: 'BAD_REQUEST', local: true, notExecuted: true });
    expect(fake.requests()).toHaveLength(0);
  });
});
