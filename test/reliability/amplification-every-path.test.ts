/**
 * Issue 13, item 2: every reply the UDP listener can send to a source that has not proved its
 * address (no cookie) stays within 3× the datagram that drew it, whatever path produced it:
 * results, errors, refusals, signing, fetch-only, cookies, undecodable input, overload, drain.
 * A source address is whatever the sender wrote, so each of these would otherwise reflect.
 *
 * Each case sends one datagram from a fresh socket, then a ping as a fence: the server answers
 * datagrams in order on one socket, so whatever arrives before the pong answers the case.
 */
import { createCodec, KIND, type SigningScope, signEnvelope, signingAudience } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createProbe,
  createTestRouter,
  decodeResponse,
  encodeRequest,
  encodeValue,
  openRawUdp,
  Resources,
  startTestServer,
  type TestServer,
  type TestServerOptions,
  waitFor,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

const codec = createCodec();
const KEY = { keyId: 'k1', key: 'first secret, at least 32 bytes long!!' };
/** Signing bound to the server at `port` on loopback, as a client calling `udp://127.0.0.1:<port>` signs. */
const scopeFor = (port: number, key = KEY): SigningScope => ({ ...key, audience: signingAudience('127.0.0.1', port) });
const CLIENT = Buffer.from('5be0c1a2d3e4f607', 'hex');
const PING = Buffer.from([0x92, 0x04, 0x00]);

type Fence = (id: number) => Buffer;
const plainFence: Fence = (id) => codec.encode({ kind: KIND.ping, id });

async function serve(options: Omit<TestServerOptions, 'router'> = {}) {
  const probe = createProbe();
  const app = await startTestServer({ ...options, router: createTestRouter(probe) });
  // Release held calls before closing, so a draining server's close does not wait on them.
  open.track({ close: () => app.close() });
  open.track({ close: () => probe.release() });
  return { app, probe };
}

/**
 * Sends `datagram` from a new socket, then waits (`settle`) for anything asynchronous, then
 * fences; returns the bytes the server sent back for the datagram, pong excluded.
 */
async function bytesDrawnBy(
  app: TestServer,
  datagram: Uint8Array,
  settle?: () => Promise<void>,
  fence: Fence = plainFence,
): Promise<number[]> {
  const raw = open.track(await openRawUdp(app.udpPort));
  await raw.send(datagram);
  await settle?.();
  const fenceId = 0xfe11;
  await raw.send(fence(fenceId));
  const replies: number[] = [];
  for (;;) {
    const reply = await raw.received.next(5_000, `the pong fencing a case`);
    if (isPong(reply, fenceId)) return replies;
    replies.push(reply.length);
  }
}

function isPong(bytes: Buffer, id: number): boolean {
  const decoded = codec.decode(bytes);
  if (!decoded.ok) return false;
  let envelope = decoded.value;
  if (envelope.kind === KIND.signed) {
    const inner = codec.decode(envelope.inner);
    if (!inner.ok) return false;
    envelope = inner.value;
  }
  return envelope.kind === KIND.pong && envelope.id === id;
}

function expectWithinBudget(datagram: Uint8Array, replies: number[]): void {
  const sent = replies.reduce((sum, bytes) => sum + bytes, 0);
  expect(sent, `${datagram.length} bytes in drew ${replies.join(' + ') || 0} bytes out`).toBeLessThanOrEqual(
    3 * datagram.length,
  );
}

/** What the reference client puts on a first UDP transmission. */
const meta = () => ({ deadlineMs: 2_000, attempt: 1, clientId: CLIENT });

describe('every UDP reply path stays within 3× for an unvalidated source', () => {
  it.each([
    ['a ping', PING],
    ['a byte that is not MessagePack', Buffer.from([0xc1])],
    ['an empty array', Buffer.from([0x90])],
    ['a request whose method is not a string (msgid readable)', encodeValue([0, 1, 42, []])],
    ['an unknown procedure', encodeRequest(1, 'x')],
    ['input that fails validation', encodeRequest(1, 'probe.big', {})],
    ['a small result', encodeRequest(1, 'echo.add', { a: 1, b: 2 })],
    ['a result above 3× (cookie challenge)', encodeRequest(1, 'probe.big', { chars: 800 }, meta())],
    ['a result above 3× from a request without client id', encodeRequest(1, 'probe.big', { chars: 800 })],
    ['a result too large for a datagram (truncated)', encodeRequest(2, 'probe.big', { chars: 5_000 }, meta())],
    ['an idempotent result above 3×', encodeRequest(3, 'probe.bigIdempotent', { chars: 800 }, meta())],
    ['a fetch-only request for a call never made (issue repro)', Buffer.from('950000a09081a2666fc3', 'hex')],
    ['a cancel', encodeValue([3, 1])],
    ['a notification', encodeValue([2, 'echo.add', [{ a: 1, b: 2 }]])],
    [
      'a retransmission first sent to another server incarnation',
      encodeRequest(4, 'kv.set', { key: 'k', value: 'v' }, { ...meta(), attempt: 2, incarnation: 7 }),
    ],
    [
      'a signed envelope to a server without signing',
      signEnvelope(codec, encodeRequest(1, 'echo.add', { a: 1, b: 2 }, meta()), { ...KEY, audience: 'x' }),
    ],
  ])('%s', async (_name, datagram) => {
    const { app } = await serve();
    expectWithinBudget(datagram, await bytesDrawnBy(app, datagram));
  });

  it('a retransmission answered from the reply cache, and a fetch-only request for a kept reply', async () => {
    const { app, probe } = await serve();
    const first = encodeRequest(7, 'probe.big', { chars: 5_000 }, meta());
    expectWithinBudget(first, await bytesDrawnBy(app, first));
    const again = encodeRequest(7, 'probe.big', { chars: 5_000 }, { ...meta(), attempt: 2 });
    expectWithinBudget(again, await bytesDrawnBy(app, again));
    const fetch = encodeRequest(7, 'probe.big', { chars: 5_000 }, { ...meta(), attempt: 3, fetchOnly: true });
    expectWithinBudget(fetch, await bytesDrawnBy(app, fetch));

    expect(probe.bigExecutions).toBe(1);
    expect(app.server.stats.replyCacheHits).toBeGreaterThanOrEqual(2);
  });

  it('a duplicate of a call still running, and that call ending at its deadline', async () => {
    const { app, probe } = await serve();
    const held = encodeRequest(9, 'probe.hold', {}, { ...meta(), deadlineMs: 200 });
    expectWithinBudget(held, await bytesDrawnBy(app, held));
    await waitFor(() => probe.holding === 1);
    const duplicate = encodeRequest(9, 'probe.hold', {}, { ...meta(), deadlineMs: 200, attempt: 2 });
    expectWithinBudget(duplicate, await bytesDrawnBy(app, duplicate));
    expect(app.server.stats.duplicatesDropped).toBe(1);

    const late = encodeRequest(10, 'probe.hold', {}, { ...meta(), deadlineMs: 1 });
    const replies = await bytesDrawnBy(app, late, () => waitFor(() => app.server.stats.deadlineExceeded >= 1));
    expectWithinBudget(late, replies);
  });

  it('an overload refusal', async () => {
    const { app } = await serve({ server: { maxInFlight: 0 } });
    const request = encodeRequest(1, 'probe.hold', {}, meta());
    expectWithinBudget(request, await bytesDrawnBy(app, request));
    expect(app.server.stats.overloadRejected).toBe(1);
  });

  it('a drain refusal', async () => {
    const { app, probe } = await serve();
    const held = encodeRequest(1, 'probe.hold', {}, meta());
    await bytesDrawnBy(app, held);
    await waitFor(() => probe.holding === 1);
    const closing = app.server.close({ graceMs: 10_000 });
    const request = encodeRequest(2, 'echo.add', { a: 1, b: 2 }, meta());
    expectWithinBudget(request, await bytesDrawnBy(app, request));
    probe.release();
    await closing;
  });

  describe('on a server that requires signed datagrams', () => {
    const add = () => encodeRequest(1, 'echo.add', { a: 1, b: 2 }, meta());
    it.each([
      ['an unsigned ping (issue repro)', () => PING],
      ['an unsigned request', () => add()],
      [
        'a wrong signature',
        (port: number) => signEnvelope(codec, add(), scopeFor(port, { keyId: 'k1', key: 'not the secret' })),
      ],
      [
        'an unknown key id',
        (port: number) => signEnvelope(codec, add(), scopeFor(port, { keyId: 'k9', key: KEY.key })),
      ],
      ['a stale timestamp', (port: number) => signEnvelope(codec, add(), scopeFor(port), Date.now() - 3_600_000)],
      ['a signature for another server', () => signEnvelope(codec, add(), { ...KEY, audience: '192.0.2.1:4000' })],
      [
        'a signed request whose reply is above 3×',
        (port: number) => signEnvelope(codec, encodeRequest(1, 'probe.big', { chars: 800 }, meta()), scopeFor(port)),
      ],
      [
        'a signed request for a reply too large for a datagram',
        (port: number) => signEnvelope(codec, encodeRequest(2, 'probe.big', { chars: 5_000 }, meta()), scopeFor(port)),
      ],
      [
        'a signed undecodable inner message',
        (port: number) => signEnvelope(codec, Buffer.from([0xc1]), scopeFor(port)),
      ],
    ])('%s', async (_name, make: (port: number) => Buffer) => {
      const { app } = await serve({ udp: { signing: { keys: { [KEY.keyId]: KEY.key } } } });
      const datagram = make(app.udpPort);
      const signedFence = (id: number) => signEnvelope(codec, plainFence(id), scopeFor(app.udpPort));
      expectWithinBudget(datagram, await bytesDrawnBy(app, datagram, undefined, signedFence));
    });
  });
});

describe('the budget itself', () => {
  it('still answers a request whose reply fits, so ordinary small calls need no cookie', async () => {
    const { app } = await serve();
    const raw = open.track(await openRawUdp(app.udpPort));
    await raw.send(encodeRequest(1, 'echo.add', { a: 20, b: 22 }, meta()));
    const reply = decodeResponse(await raw.received.next());
    expect(reply).toMatchObject({ id: 1, result: { sum: 42 } });
  });

  it('gives a fetch-only miss an honest "may have run", not "did run"', async () => {
    const { app } = await serve();
    const raw = open.track(await openRawUdp(app.udpPort));
    // A cookie-validated source (the budget lifted) gets the answer itself.
    await raw.send(encodeRequest(1, 'probe.big', { chars: 800 }, meta()));
    const challenge = decodeResponse(await raw.received.next());
    const cookie = challenge.meta?.cookie;
    expect(cookie).toBeDefined();
    await raw.send(encodeRequest(5, 'probe.big', { chars: 1 }, { ...meta(), cookie, fetchOnly: true }));
    const miss = decodeResponse(await raw.received.next());
    expect(miss.error).toMatchObject({ code: 'RESOURCE_EXHAUSTED', notExecuted: false });
    expect(miss.error?.message).toMatch(/may have run/);
  });
});
