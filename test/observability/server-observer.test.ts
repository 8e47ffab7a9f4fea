import { AsyncLocalStorage } from 'node:async_hooks';
import { createClient } from '@volley/client';
import { procedure, router } from '@volley/router';
import { createServer, type ObservedServerCall, type ServerCallWatch, type ServerObserver } from '@volley/server';
import { HEALTH_PROCEDURE, KIND, RpcError } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  connectRawTcp,
  createLogCapture,
  decodeResponse,
  encodeRequest,
  encodeValue,
  listenOnLoopback,
  openRawUdp,
  Resources,
  waitFor,
} from '../support/index.js';

/** What one observer saw of one request: the call as it ended, and the events on the way. */
interface Seen {
  call: ObservedServerCall;
  events: string[];
  ends: number;
}

/**
 * An observer that records everything but `$health` (a UDP client's incarnation probe, sent of its
 * own beside its first call), and runs handlers inside an AsyncLocalStorage scope.
 */
function recordingObserver(scope: AsyncLocalStorage<string>) {
  const seen: Seen[] = [];
  const observer: ServerObserver = {
    onCall(call) {
      if (call.procedure === HEALTH_PROCEDURE) return undefined;
      const entry: Seen = { call, events: [], ends: 0 };
      seen.push(entry);
      const watch: ServerCallWatch = {
        run: (fn) => scope.run(`observed:${call.procedure}`, fn),
        event: (name) => entry.events.push(name),
        end: () => {
          entry.ends++;
        },
      };
      return watch;
    },
  };
  return { observer, seen, ended: () => seen.filter((entry) => entry.ends > 0) };
}

const scope = new AsyncLocalStorage<string>();
let release: (() => void) | undefined;
const testRouter = router({
  /** Returns the observer's scope as the handler saw it: proves `run` wraps the handler. */
  scope: procedure.handler(() => ({ scope: scope.getStore() ?? null })),
  later: procedure.handler(async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return { scope: scope.getStore() ?? null };
  }),
  add: procedure.input(z.object({ a: z.number(), b: z.number() })).handler(({ input }) => input.a + input.b),
  refuse: procedure.handler(() => {
    throw new RpcError('PERMISSION_DENIED', 'not for you');
  }),
  hold: procedure.handler(() => new Promise<string>((resolve) => (release = () => resolve('released')))),
});

const resources = new Resources();
afterEach(async () => {
  release?.();
  release = undefined;
  await resources.closeAll();
});

async function start(options: Parameters<typeof createServer>[0] extends infer O ? Partial<O> : never = {}) {
  const recorder = recordingObserver(scope);
  const server = createServer({
    router: testRouter,
    logger: createLogCapture('debug').logger,
    ...options,
    observers: [recorder.observer, ...(options.observers ?? [])],
  });
  const bound = resources.track(await listenOnLoopback(server));
  return { ...bound, ...recorder };
}

describe.each(['udp', 'tcp'] as const)('server observers over %s', (transport) => {
  const urlOf = (bound: { udpUrl: string; tcpUrl: string }) => (transport === 'udp' ? bound.udpUrl : bound.tcpUrl);

  it('see a call the handler ran, with its transport, sizes, timing and outcome, ended once', async () => {
    const server = await start();
    const client = resources.track(createClient<typeof testRouter>(urlOf(server)));
    expect(await client.add({ a: 2, b: 3 })).toBe(5);
    await waitFor(() => server.ended().length === 1);
    const [entry] = server.ended();
    expect(entry?.ends).toBe(1);
    expect(entry?.call).toMatchObject({
      procedure: 'add',
      known: true,
      transport,
      code: 'OK',
      answer: 'dispatched',
      error: undefined,
    });
    expect(entry?.call.peer.address).toBe('127.0.0.1');
    expect(entry?.call.requestBytes).toBeGreaterThan(10);
    expect(entry?.call.responseBytes).toBeGreaterThan(4);
    expect(entry?.call.durationMs).toBeGreaterThanOrEqual(0);
    expect(entry?.call.meta?.deadlineMs).toBeGreaterThan(0);
  });

  it('run the handler inside the watch, synchronous or not, so its context reaches the handler', async () => {
    const server = await start();
    const client = resources.track(createClient<typeof testRouter>(urlOf(server)));
    expect(await client.scope()).toEqual({ scope: 'observed:scope' });
    expect(await client.later()).toEqual({ scope: 'observed:later' });
  });

  it('see failures before and after the handler: NOT_FOUND, BAD_REQUEST input, a coded throw', async () => {
    const server = await start();
    const client = resources.track(createClient<typeof testRouter>(urlOf(server)));
    await expect(client.call('nope.missing', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.call('add', { a: 'x' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(client.refuse()).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const dispatched = () => server.ended().filter((entry) => entry.call.answer === 'dispatched');
    await waitFor(() => dispatched().length === 3);
    const byProcedure = Object.fromEntries(dispatched().map((entry) => [entry.call.procedure, entry.call]));
    expect(byProcedure['nope.missing']).toMatchObject({ known: false, code: 'NOT_FOUND' });
    expect(byProcedure['nope.missing']?.error?.code).toBe('NOT_FOUND');
    expect(byProcedure.add).toMatchObject({ known: true, code: 'BAD_REQUEST', answer: 'dispatched' });
    expect(byProcedure.refuse).toMatchObject({ code: 'PERMISSION_DENIED', answer: 'dispatched' });
    if (transport === 'udp') {
      // The BAD_REQUEST reply (its issues list) is more than 3× the request: the unvalidated
      // source was challenged first, then answered from the cache when it came back with the cookie.
      const add = server.ended().filter((entry) => entry.call.procedure === 'add');
      expect(add.find((entry) => entry.call.answer === 'dispatched')?.events).toContain('volley.cookie_challenge');
      expect(add.find((entry) => entry.call.answer === 'replayed')?.call.code).toBe('BAD_REQUEST');
    }
  });

  it('see refusals before dispatch: saturated (RESOURCE_EXHAUSTED) and draining (UNAVAILABLE)', async () => {
    const server = await start({ maxInFlight: 1, closeGraceMs: 5_000 });
    const client = resources.track(createClient<typeof testRouter>(urlOf(server)));
    const held = client.hold();
    await waitFor(() => server.server.inFlight === 1);
    await expect(client.add({ a: 1, b: 1 })).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    const closing = server.server.close();
    await expect(client.add({ a: 1, b: 1 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    release?.();
    await expect(held).resolves.toBe('released');
    await closing;
    const refused = server.ended().filter((entry) => entry.call.answer === 'refused');
    expect(refused.map((entry) => entry.call.code).sort()).toEqual(['RESOURCE_EXHAUSTED', 'UNAVAILABLE']);
    for (const entry of refused) expect(entry.call.responseBytes).toBeGreaterThan(0);
    expect(server.ended().find((entry) => entry.call.procedure === 'hold')?.call.code).toBe('OK');
  });

  it('see a malformed message as a refusal without a procedure', async () => {
    const server = await start();
    if (transport === 'udp') {
      const raw = resources.track(await openRawUdp(server.udpPort));
      // No reply is awaited: one larger than 3× this datagram is never sent to an unvalidated source.
      await raw.send(encodeValue([KIND.request, 'not a msgid']));
    } else {
      const raw = resources.track(await connectRawTcp(server.tcpPort));
      raw.sendFrame(encodeValue([KIND.request, 'not a msgid']));
      await raw.frames.next();
    }
    await waitFor(() => server.ended().length === 1);
    expect(server.ended()[0]?.call).toMatchObject({
      procedure: undefined,
      known: false,
      code: 'BAD_REQUEST',
      answer: 'refused',
    });
  });

  it('see unsigned calls refused by a signing server (UNAUTHENTICATED), on every door', async () => {
    const server = await start({ signing: { keys: { k1: 'a-secret-of-at-least-32-bytes-for-hmac' } } });
    const client = resources.track(createClient<typeof testRouter>(urlOf(server)));
    await expect(client.add({ a: 1, b: 2 })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await waitFor(() => server.ended().length >= 1);
    expect(server.ended()[0]?.call).toMatchObject({ procedure: undefined, code: 'UNAUTHENTICATED', answer: 'refused' });
    expect(server.ended()[0]?.call.transport).toBe(transport);
  });

  it('tell every observer, and skip one that does not follow the call', async () => {
    const second = recordingObserver(scope);
    const ignoring: ServerObserver = { onCall: () => undefined };
    const server = await start({ observers: [ignoring, second.observer] });
    const client = resources.track(createClient<typeof testRouter>(urlOf(server)));
    expect(await client.scope()).toEqual({ scope: 'observed:scope' });
    await waitFor(() => server.ended().length === 1 && second.ended().length === 1);
    expect(second.ended()[0]?.call.code).toBe('OK');
  });
});

describe('a failing observer', () => {
  it('is logged, and the call goes on without it', async () => {
    const logs = createLogCapture('debug');
    let ended = 0;
    const throwsOnCall: ServerObserver = {
      onCall: () => {
        throw new Error('observer bug in onCall');
      },
    };
    const throwsOnEnd: ServerObserver = {
      onCall: () => ({
        end: () => {
          ended++;
          throw new Error('observer bug in end');
        },
      }),
    };
    const server = createServer({ router: testRouter, logger: logs.logger, observers: [throwsOnCall, throwsOnEnd] });
    const bound = resources.track(await listenOnLoopback(server));
    const client = resources.track(createClient<typeof testRouter>(bound.tcpUrl));
    expect(await client.add({ a: 1, b: 2 })).toBe(3);
    expect(await client.add({ a: 2, b: 2 })).toBe(4);
    expect(ended).toBe(2);
    const lines = logs.lines.filter((line) => line.msg.includes('observer threw'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]?.level).toBe('error');
  });
});

describe('server observers over UDP retransmissions', () => {
  it('see a retransmission answered from the reply cache as replayed, with its event, and one still running as dropped', async () => {
    const server = await start();
    const raw = resources.track(await openRawUdp(server.udpPort));
    const clientId = Buffer.alloc(8, 7);
    // `hold` is not idempotent: its reply is kept, and a retransmission while it runs is dropped.
    const request = (attempt: number) => encodeRequest(41, 'hold', undefined, { clientId, attempt, deadlineMs: 5_000 });
    await raw.send(request(1));
    await waitFor(() => server.server.inFlight === 1);
    await raw.send(request(2));
    await waitFor(() => server.ended().length === 1);
    expect(server.ended()[0]?.call).toMatchObject({ answer: 'dropped', code: 'OK' });
    release?.();
    expect(decodeResponse(await raw.received.next()).result).toBe('released');
    await raw.send(request(3));
    expect(decodeResponse(await raw.received.next()).result).toBe('released');
    await waitFor(() => server.ended().length === 3);
    const running = server.seen.find((entry) => entry.call.meta?.attempt === 1);
    expect(running?.events).toContain('volley.duplicate_dropped');
    const replayed = server.seen.find((entry) => entry.call.meta?.attempt === 3);
    expect(replayed?.call).toMatchObject({ answer: 'replayed', code: 'OK' });
    expect(replayed?.events).toEqual(['volley.reply_cache.hit']);
    expect(replayed?.call.responseBytes).toBeGreaterThan(0);
  });
});
