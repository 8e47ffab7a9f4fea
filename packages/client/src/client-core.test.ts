import type { ClientConnection, ConnectionHandlers } from '@volley/transport';
import { createCodec, type Envelope, KIND, type RequestEnvelope } from '@volley/wire';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientCore } from './client-core.js';
import { UDP_FIRST_RETRANSMIT_MS } from './constants.js';

const codec = createCodec();

/** A connection whose "server" is the test: it records what was sent and can answer. */
function fakeConnection(connectionless: boolean) {
  const sent: Envelope[] = [];
  let handlers: ConnectionHandlers | undefined;
  const connection: ClientConnection = {
    kind: connectionless ? 'udp' : 'tcp',
    peer: { transport: connectionless ? 'udp' : 'tcp', address: '127.0.0.1', port: 1 },
    connectionless,
    maxMessageBytes: 1200,
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
  const requests = () => sent.filter((e): e is RequestEnvelope => e.kind === KIND.request);
  return { connect, reply, requests, sent, drop: () => handlers?.onClose(new Error('reset')) };
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
    const core = new ClientCore(fake.connect, { connectionless: false, target: 'test' });
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
    const core = new ClientCore(fake.connect, { connectionless: false, target: 'test' });
    const call = core.call('slow', undefined, { timeoutMs: 300 });
    const outcome = call.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.requests()[0]?.meta?.deadlineMs).toBe(300);
    await vi.advanceTimersByTimeAsync(300);
    expect(await outcome).toMatchObject({ code: 'DEADLINE_EXCEEDED', notExecuted: false, local: true });
    expect(core.pendingCount).toBe(0);
  });

  it('retransmits a UDP call with the same msgid, doubling the wait, until the deadline', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { connectionless: true, target: 'test' });
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
    // Waits of 250, 500 and 1000 ms; the next (2000 ms, at 3750) would pass the 3000 ms deadline.
    const first = UDP_FIRST_RETRANSMIT_MS;
    expect(times).toEqual([first, first * 3, first * 7]);
    expect(await outcome).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
  });

  it('sends a cancel and rejects with CANCELLED when the signal aborts', async () => {
    const fake = fakeConnection(false);
    const core = new ClientCore(fake.connect, { connectionless: false, target: 'test' });
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
    const core = new ClientCore(fake.connect, { connectionless: false, target: 'test' });
    const pending = core.call('x', undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    await core.close();
    expect(await pending).toMatchObject({ code: 'CLOSED', notExecuted: false });
    await expect(core.call('y', undefined)).rejects.toMatchObject({ code: 'CLOSED', notExecuted: true });
  });

  it('fails calls in flight with UNAVAILABLE (may have executed) when the connection drops', async () => {
    const fake = fakeConnection(false);
    const core = new ClientCore(fake.connect, { connectionless: false, target: 'test' });
    const pending = core.call('x', undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    fake.drop();
    expect(await pending).toMatchObject({ code: 'UNAVAILABLE', notExecuted: false });
  });

  it('refuses a request larger than the connection allows, before sending', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { connectionless: true, target: 'test' });
    await expect(core.call('big', 'x'.repeat(2000))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', notExecuted: true });
    expect(fake.requests()).toHaveLength(0);
  });

  it('drops replies that match no pending call', async () => {
    const fake = fakeConnection(false);
    const core = new ClientCore(fake.connect, { connectionless: false, target: 'test' });
    const call = core.call('x', undefined);
    await vi.advanceTimersByTimeAsync(0);
    fake.reply({ kind: KIND.response, id: 12345, result: 'forged' });
    fake.reply({ kind: KIND.response, id: fake.requests()[0]?.id ?? -1, result: 'real' });
    expect(await call).toBe('real');
    expect(core.stats.unmatchedReplies).toBe(1);
  });

  it('fails a call whose input MessagePack cannot carry with a local BAD_REQUEST, without crashing', async () => {
    const fake = fakeConnection(true);
    const core = new ClientCore(fake.connect, { connectionless: true, target: 'test' });
    const outcome = core.call('add', { a: 2n ** 70n }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await outcome).toMatchObject({ code: 'BAD_REQUEST', local: true, notExecuted: true });
    expect(fake.requests()).toHaveLength(0);
  });
});
