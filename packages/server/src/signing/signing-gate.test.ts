import type { DatagramChannel, TransportListener } from '@volley/transport';
import { createCodec, KIND, type RequestMeta, RpcError, signEnvelope } from '@volley/wire';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogLimiter } from '../log-limiter.js';
import { createServerStats } from '../server-stats.js';
import { createSigningGate, signingStarted } from './signing-gate.js';

const codec = createCodec();
const KEY = { keyId: 'k1', key: 'first secret, at least 32 bytes long!!' };
const AUDIENCE = '127.0.0.1:4000';
/** 16:00:00.400 UTC: the gate starts 400 ms into a second. */
const STARTED_AT_MS = 1_764_000_000_400;

afterEach(() => vi.useRealTimers());

function startGate() {
  const handled: Buffer[] = [];
  const inner: TransportListener = { onMessage: (bytes) => handled.push(bytes) };
  const stats = createServerStats();
  const limiter = new LogLimiter(pino({ level: 'silent' }), 10_000);
  const gate = createSigningGate(
    inner,
    { keys: { [KEY.keyId]: KEY.key } },
    { codec, limiter, stats, isOwnAddress: (name) => name === AUDIENCE },
  );
  return { gate, handled, stats };
}

/** A datagram's reply path that keeps what is sent, with room for any refusal. */
function datagramChannel(sent: Buffer[]): DatagramChannel {
  return {
    kind: 'udp',
    mode: 'datagram',
    peer: { transport: 'udp', address: '127.0.0.1', port: 50_000 },
    maxMessageBytes: 1200,
    sendBudget: 3600,
    validate: () => {},
    send: (bytes) => sent.push(Buffer.from(bytes)) > 0,
  };
}

/** `kv.set` signed at `signedAtMs`, as transmission `attempt` of msgid 7. */
function signedRequest(signedAtMs: number, attempt: number): Buffer {
  const meta: RequestMeta = { deadlineMs: 5_000, attempt, clientId: Buffer.alloc(8, 1) };
  const inner = codec.encode({ kind: KIND.request, id: 7, method: 'kv.set', input: { key: 'k' }, meta });
  return signEnvelope(codec, inner, { ...KEY, audience: AUDIENCE }, signedAtMs);
}

/** The one answer sent: its msgid, echoed attempt, and error as the client rebuilds it. */
function refusalIn(sent: Buffer[]) {
  expect(sent).toHaveLength(1);
  const decoded = codec.decode(sent[0] as Buffer);
  if (!decoded.ok || decoded.value.kind !== KIND.response) throw new Error('expected a response');
  const { id, meta, error } = decoded.value;
  return { id, attempt: meta?.attempt, error: RpcError.fromWire(error) };
}

describe('a signing gate', () => {
  it('lets its server bind only once the wall clock has left the second its memory began in', async () => {
    vi.useFakeTimers({ now: STARTED_AT_MS });
    const { gate } = startGate();
    let started = false;
    void signingStarted(gate)?.then(() => {
      started = true;
    });

    await vi.advanceTimersByTimeAsync(599);
    expect(started).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(started).toBe(true);
    expect(signingStarted({ onMessage: () => {} })).toBeUndefined();
  });

  it('refuses a request signed before it started with UNAUTHENTICATED, not executed, and says why', () => {
    vi.useFakeTimers({ now: STARTED_AT_MS });
    const { gate, handled, stats } = startGate();
    const sent: Buffer[] = [];

    // Captured 5 s before a restart, replayed 1 s after it: within the skew, its MAC valid.
    vi.setSystemTime(STARTED_AT_MS + 1_000);
    gate.onMessage(signedRequest(STARTED_AT_MS - 5_000, 1), datagramChannel(sent));

    expect(handled).toEqual([]);
    expect(stats.signatureRejected).toBe(1);
    const reply = refusalIn(sent);
    expect(reply).toMatchObject({ id: 7, attempt: 1, error: { code: 'UNAUTHENTICATED', notExecuted: true } });
    expect(reply.error.message).toBe(
      'Signed before this server started (2025-11-24T16:00:00.400Z): refused as a possible replay, not executed (client clock behind?)',
    );
  });

  it('says a retransmission signed before it started may have run before the restart', () => {
    vi.useFakeTimers({ now: STARTED_AT_MS });
    const { gate, handled } = startGate();
    const sent: Buffer[] = [];

    vi.setSystemTime(STARTED_AT_MS + 1_000);
    gate.onMessage(signedRequest(STARTED_AT_MS - 400, 2), datagramChannel(sent));

    expect(handled).toEqual([]);
    const { error } = refusalIn(sent);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', notExecuted: false });
    expect(error.message).toMatch(/not run here, it may have run before the restart$/);
  });

  it('admits a request signed in the second after it started', () => {
    vi.useFakeTimers({ now: STARTED_AT_MS });
    const { gate, handled, stats } = startGate();

    vi.setSystemTime(STARTED_AT_MS + 600);
    gate.onMessage(signedRequest(Date.now(), 1), datagramChannel([]));

    expect(handled).toHaveLength(1);
    expect(stats.signatureRejected).toBe(0);
  });
});
