import type { ClientConnection, ConnectionHandlers } from '@volley/transport';
import { createCodec, type Envelope, HEALTH_PROCEDURE, KIND, type RequestEnvelope } from '@volley/wire';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientCore } from './client-core.js';

const codec = createCodec();
const PORT_UNREACHABLE = Object.assign(new Error('recv ECONNREFUSED'), { code: 'ECONNREFUSED' });

/**
 * A UDP socket whose "server" is the test: it records requests (the calls'; `probes`: the client's
 * `$health` incarnation probes) and can answer or report ICMP.
 */
function fakeUdp() {
  const requests: RequestEnvelope[] = [];
  const probes: RequestEnvelope[] = [];
  const refs: boolean[] = [];
  let handlers: ConnectionHandlers | undefined;
  const connection: ClientConnection = {
    kind: 'udp',
    peer: { transport: 'udp', address: '127.0.0.1', port: 1 },
    mode: 'datagram',
    maxMessageBytes: 1200,
    send(bytes) {
      const decoded = codec.decode(bytes);
      if (decoded.ok && decoded.value.kind === KIND.request)
        (decoded.value.method === HEALTH_PROCEDURE ? probes : requests).push(decoded.value);
      return true;
    },
    close: () => handlers?.onClose(),
    ref: () => refs.push(true),
    unref: () => refs.push(false),
  };
  const connect = async (h: ConnectionHandlers) => {
    handlers = h;
    return connection;
  };
  return {
    connect,
    requests,
    probes,
    refs,
    reply: (envelope: Envelope) => handlers?.onMessage(codec.encode(envelope)),
    unreachable: () => handlers?.onUnreachable?.(PORT_UNREACHABLE),
  };
}

describe('ClientCore on ICMP port-unreachable', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails a call sent once with UNAVAILABLE, not executed, long before its deadline', async () => {
    const udp = fakeUdp();
    const core = new ClientCore(udp.connect, { mode: 'datagram', target: 'udp://test' });
    const outcome = core.call('a', undefined, { timeoutMs: 10_000 }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1);
    udp.unreachable();
    // Settled with the clock 1 ms in: not at the 10 s deadline.
    expect(await outcome).toMatchObject({
      code: 'UNAVAILABLE',
      local: true,
      notExecuted: true,
      cause: PORT_UNREACHABLE,
    });
    await core.close();
  });

  it('fails a retransmitted call as "may have executed": an earlier attempt may have reached the server', async () => {
    const udp = fakeUdp();
    const core = new ClientCore(udp.connect, { mode: 'datagram', target: 'udp://test' });
    const outcome = core.call('a', undefined, { timeoutMs: 10_000 }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(500);
    expect(udp.requests.length).toBeGreaterThan(1);
    udp.unreachable();
    expect(await outcome).toMatchObject({ code: 'UNAVAILABLE', notExecuted: false });
    await core.close();
  });

  it('fails calls in flight together as "may have executed": the error cannot be pinned on one of them', async () => {
    const udp = fakeUdp();
    const core = new ClientCore(udp.connect, { mode: 'datagram', target: 'udp://test' });
    const first = core.call('a', undefined).catch((error: unknown) => error);
    const second = core.call('b', undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1);
    udp.unreachable();
    expect(await Promise.all([first, second])).toMatchObject([
      { code: 'UNAVAILABLE', notExecuted: false },
      { code: 'UNAVAILABLE', notExecuted: false },
    ]);
    await core.close();
  });

  it('pins the error on a lone call once every earlier datagram was answered, and the socket stays usable', async () => {
    const udp = fakeUdp();
    const core = new ClientCore(udp.connect, { mode: 'datagram', target: 'udp://test' });
    const answered = core.call('a', undefined);
    await vi.advanceTimersByTimeAsync(1);
    // The reply echoes attempt 1: that datagram arrived, so it cannot be the one an ICMP error is about.
    udp.reply({
      kind: KIND.response,
      id: udp.requests[0]?.id ?? -1,
      result: 'one',
      meta: { attempt: 1, clientId: core.clientId },
    });
    expect(await answered).toBe('one');
    const lone = core.call('b', undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1);
    udp.unreachable();
    expect(await lone).toMatchObject({ code: 'UNAVAILABLE', notExecuted: true });
    const later = core.call('c', undefined);
    await vi.advanceTimersByTimeAsync(1);
    udp.reply({
      kind: KIND.response,
      id: udp.requests[2]?.id ?? -1,
      result: 'three',
      meta: { attempt: 1, clientId: core.clientId },
    });
    expect(await later).toBe('three');
    await core.close();
  });

  it('refs the socket while a call is pending and unrefs it when the last one settles', async () => {
    const udp = fakeUdp();
    const core = new ClientCore(udp.connect, { mode: 'datagram', target: 'udp://test' });
    const first = core.call('a', undefined);
    const second = core.call('b', undefined);
    await vi.advanceTimersByTimeAsync(1);
    expect(udp.refs).toEqual([true]);
    const [a, b] = udp.requests;
    udp.reply({ kind: KIND.response, id: a?.id ?? -1, result: 1, meta: { attempt: 1, clientId: core.clientId } });
    await first;
    expect(udp.refs).toEqual([true]);
    udp.reply({ kind: KIND.response, id: b?.id ?? -1, result: 2, meta: { attempt: 1, clientId: core.clientId } });
    await second;
    expect(udp.refs).toEqual([true, false]);
    await core.close();
  });
});
