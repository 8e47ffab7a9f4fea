/**
 * OpenTelemetry tracing with the real SDK: `clientTracing()` and `serverTracing()` put a call
 * through two servers in one trace, report codes and statuses per the RPC conventions, and show
 * what happened on the way (retransmissions, reply-cache hits, truncated replies, cookie challenges,
 * TCP fallbacks) as span events.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { clientTracing, createClient, MAX_RTO_MS, type VolleyClient } from '@volley/client';
import { type AnyRouter, procedure, router } from '@volley/router';
import { createServer, serverTracing } from '@volley/server';
import { MemoryNetwork } from '@volley/transport';
import { HEALTH_PROCEDURE, RpcError } from '@volley/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogCapture, errorOf, type LoopbackServer, listenOnLoopback, Resources } from '../support/index.js';

/** How many times `store.put` ran, by key: a reply-cache hit must not run it again. */
const puts = new Map<string, number>();

const backendRouter = router({
  store: router({
    // Not idempotent: a UDP server keeps its reply, so a retransmission is answered from the cache.
    put: procedure.input(z.object({ key: z.string() })).handler(({ input }) => {
      puts.set(input.key, (puts.get(input.key) ?? 0) + 1);
      return { stored: input.key };
    }),
    fail: procedure.input(z.object({ code: z.enum(['UNAVAILABLE', 'PERMISSION_DENIED']) })).handler(({ input }) => {
      throw new RpcError(input.code, `refused with ${input.code}`);
    }),
    crash: procedure.handler(() => {
      throw new Error('disk on fire');
    }),
    /** A reply of `chars` characters: above the datagram limit, or above an unproven source's 3× budget. */
    big: procedure
      .input(z.object({ chars: z.number().int() }))
      .handler(({ input }) => ({ text: 'x'.repeat(input.chars) })),
    /** Takes a request as large as the caller makes it. */
    measure: procedure.input(z.object({ text: z.string() })).handler(({ input }) => ({ length: input.text.length })),
    /** The trace context the request carried, as the handler sees it. */
    seen: procedure.handler(({ ctx }) => ({ trace: ctx.meta.trace ?? null, traceState: ctx.meta.traceState ?? null })),
  }),
});
type BackendRouter = typeof backendRouter;

/** A front server whose handler calls the backend with its own client. */
function createFrontRouter(backend: () => VolleyClient<BackendRouter>) {
  return router({
    front: router({
      get: procedure
        .input(z.object({ key: z.string() }))
        .handler(({ input }) => backend().store.put({ key: input.key })),
    }),
  });
}
type FrontRouter = ReturnType<typeof createFrontRouter>;

const resources = new Resources();
let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider;

beforeEach(() => {
  puts.clear();
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});

afterEach(async () => {
  await resources.closeAll();
  trace.disable();
  context.disable();
  propagation.disable();
});

/** A server on loopback (UDP and TCP) that traces every call. */
async function startTraced(serverRouter: AnyRouter): Promise<LoopbackServer> {
  const server = createServer({
    router: serverRouter,
    logger: createLogCapture('warn').logger,
    observers: [serverTracing()],
  });
  return resources.track(await listenOnLoopback(server));
}

/**
 * A client that traces its calls. Over UDP its first retransmission waits the longest RTO: on a
 * loaded machine the default 200 ms could pass before a reply and add a server span.
 */
function tracedClient<TRouter extends AnyRouter>(url: string): VolleyClient<TRouter> {
  return resources.track(
    createClient<TRouter>(url, { interceptors: [clientTracing()], retransmit: { initialRtoMs: MAX_RTO_MS } }),
  );
}

/**
 * Every span ended so far, but the server spans of `$health`: the incarnation probes a UDP client
 * sends of its own beside its first calls (docs/protocol.md §5.7), in no trace of the caller's.
 */
async function finishedSpans(): Promise<ReadableSpan[]> {
  await provider.forceFlush();
  return exporter.getFinishedSpans().filter((span) => span.name !== HEALTH_PROCEDURE);
}

/** The one span of `kind` named `name`. */
function only(spans: readonly ReadableSpan[], kind: SpanKind, name: string): ReadableSpan {
  const found = spans.filter((span) => span.kind === kind && span.name === name);
  expect(found, `${SpanKind[kind]} spans named ${name}`).toHaveLength(1);
  return found[0] as ReadableSpan;
}

describe.each(['udp', 'tcp'] as const)('tracing over %s', (transport) => {
  const urlOf = (server: LoopbackServer) => (transport === 'udp' ? server.udpUrl : server.tcpUrl);
  const portOf = (server: LoopbackServer) => (transport === 'udp' ? server.udpPort : server.tcpPort);

  it('puts a call through a server that calls another in one trace: client → server → client → server', async () => {
    const backend = await startTraced(backendRouter);
    const toBackend = tracedClient<BackendRouter>(urlOf(backend));
    const front = await startTraced(createFrontRouter(() => toBackend));
    const client = tracedClient<FrontRouter>(urlOf(front));

    expect(await client.front.get({ key: 'k' })).toEqual({ stored: 'k' });

    const spans = await finishedSpans();
    expect(spans).toHaveLength(4);
    const caller = only(spans, SpanKind.CLIENT, 'front/get');
    const frontServer = only(spans, SpanKind.SERVER, 'front/get');
    const frontClient = only(spans, SpanKind.CLIENT, 'store/put');
    const backendServer = only(spans, SpanKind.SERVER, 'store/put');
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    expect(caller.parentSpanContext).toBeUndefined();
    // Across the wire the parent is remote; inside the front server's handler it is local.
    expect(frontServer.parentSpanContext).toMatchObject({ spanId: caller.spanContext().spanId, isRemote: true });
    expect(frontClient.parentSpanContext).toMatchObject({ spanId: frontServer.spanContext().spanId });
    expect(frontClient.parentSpanContext?.isRemote).not.toBe(true);
    expect(backendServer.parentSpanContext).toMatchObject({ spanId: frontClient.spanContext().spanId, isRemote: true });

    expect(caller.attributes).toEqual({
      'rpc.system': 'volley',
      'rpc.service': 'front',
      'rpc.method': 'get',
      'network.transport': transport,
      'server.address': '127.0.0.1',
      'server.port': portOf(front),
      'rpc.volley.code': 'OK',
    });
    expect(backendServer.attributes).toEqual({
      'rpc.system': 'volley',
      'rpc.service': 'store',
      'rpc.method': 'put',
      'network.transport': transport,
      'network.peer.address': '127.0.0.1',
      'network.peer.port': expect.any(Number),
      'network.type': 'ipv4',
      'volley.attempt': 1,
      'volley.request.bytes': expect.any(Number),
      'volley.reply.bytes': expect.any(Number),
      'volley.answer': 'dispatched',
      'rpc.volley.code': 'OK',
    });
    expect(backendServer.attributes['volley.request.bytes']).toBeGreaterThan(0);
    expect(backendServer.attributes['volley.reply.bytes']).toBeGreaterThan(0);
    expect(spans.map((span) => span.status.code)).toEqual(Array(4).fill(SpanStatusCode.UNSET));
    expect(spans.map((span) => span.instrumentationScope.name).sort()).toEqual([
      '@volley/client',
      '@volley/client',
      '@volley/server',
      '@volley/server',
    ]);
  });

  it.each([
    ['UNAVAILABLE', SpanStatusCode.ERROR],
    ['PERMISSION_DENIED', SpanStatusCode.UNSET],
  ] as const)(
    'reports a handler’s %s on both spans, the server’s status %s (the caller’s faults are not the server’s errors)',
    async (code, serverStatus) => {
      const backend = await startTraced(backendRouter);
      const client = tracedClient<BackendRouter>(urlOf(backend));

      expect(await errorOf(client.store.fail({ code }))).toMatchObject({ code });

      const spans = await finishedSpans();
      const clientSpan = only(spans, SpanKind.CLIENT, 'store/fail');
      const serverSpan = only(spans, SpanKind.SERVER, 'store/fail');
      expect(clientSpan.attributes).toMatchObject({ 'rpc.volley.code': code, 'error.type': code });
      expect(clientSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: `refused with ${code}` });
      expect(serverSpan.attributes['rpc.volley.code']).toBe(code);
      expect(serverSpan.status.code).toBe(serverStatus);
      if (serverStatus === SpanStatusCode.ERROR) {
        expect(serverSpan.status.message).toBe(`refused with ${code}`);
        expect(serverSpan.attributes['error.type']).toBe(code);
      } else expect(serverSpan.attributes['error.type']).toBeUndefined();
    },
  );

  it('names an unknown procedure _OTHER on the server span, never what the peer sent', async () => {
    const backend = await startTraced(backendRouter);
    const client = tracedClient<BackendRouter>(urlOf(backend));

    expect(await errorOf(client.call('store.nope'))).toMatchObject({ code: 'NOT_FOUND' });

    const spans = await finishedSpans();
    const serverSpan = only(spans, SpanKind.SERVER, '_OTHER');
    expect(serverSpan.attributes).toMatchObject({ 'rpc.method': '_OTHER', 'rpc.volley.code': 'NOT_FOUND' });
    expect(serverSpan.attributes['rpc.service']).toBeUndefined();
    expect(serverSpan.status.code).toBe(SpanStatusCode.UNSET);
    // The caller's own name for its call is its own to use.
    const clientSpan = only(spans, SpanKind.CLIENT, 'store/nope');
    expect(clientSpan.attributes).toMatchObject({ 'rpc.volley.code': 'NOT_FOUND', 'error.type': 'NOT_FOUND' });
    expect(clientSpan.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('records what the caller of an INTERNAL never sees, the thrown error, on the server span', async () => {
    const backend = await startTraced(backendRouter);
    const client = tracedClient<BackendRouter>(urlOf(backend));

    expect(await errorOf(client.store.crash())).toMatchObject({ code: 'INTERNAL' });

    const spans = await finishedSpans();
    const serverSpan = only(spans, SpanKind.SERVER, 'store/crash');
    expect(serverSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Internal server error' });
    const exception = serverSpan.events.find((event) => event.name === 'exception');
    expect(exception?.attributes).toMatchObject({ 'exception.message': 'disk on fire' });
    expect(only(spans, SpanKind.CLIENT, 'store/crash').status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe('tracing under loss', () => {
  it('shows the retransmission on the client span, and the reply-cache hit on the server span that answered it', async () => {
    // One random draw per datagram, in the order sent: the client's incarnation probe and the
    // request, the probe's reply (all delivered), the request's reply (lost), the retransmission
    // and the kept reply (both delivered).
    let draws = 0;
    const network = new MemoryNetwork({
      mode: 'datagram',
      faults: { loss: 0.5, random: () => (draws++ === 3 ? 0 : 0.99) },
    });
    const server = createServer({
      router: backendRouter,
      logger: createLogCapture('warn').logger,
      observers: [serverTracing()],
    });
    await server.listen({ memory: { name: 'traced-loss', network } });
    resources.track(server);
    const heard: string[] = [];
    const client = resources.track(
      createClient<BackendRouter>('memory://traced-loss', { memoryNetwork: network, interceptors: [clientTracing()] }),
    );

    // The caller's own listener still hears what the span records.
    const onEvent = (name: string) => heard.push(name);
    expect(await client.store.put({ key: 'once' }, { onEvent })).toEqual({ stored: 'once' });

    expect(puts.get('once')).toBe(1);
    expect(heard).toEqual(['volley.retransmit']);
    const spans = await finishedSpans();
    const clientSpan = only(spans, SpanKind.CLIENT, 'store/put');
    expect(clientSpan.events.map(({ name, attributes }) => ({ name, attributes }))).toEqual([
      { name: 'volley.retransmit', attributes: { 'volley.attempt': 2 } },
    ]);
    const serverSpans = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(serverSpans.map((span) => span.attributes['volley.attempt'])).toEqual([1, 2]);
    const [ran, replayed] = serverSpans as [ReadableSpan, ReadableSpan];
    for (const span of serverSpans) {
      expect(span.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
      expect(span.attributes['network.transport']).toBe('inproc');
    }
    expect(ran.attributes['volley.answer']).toBe('dispatched');
    expect(ran.events).toEqual([]);
    expect(replayed.attributes).toMatchObject({ 'volley.answer': 'replayed', 'rpc.volley.code': 'OK' });
    expect(replayed.events.map(({ name, attributes }) => ({ name, attributes }))).toEqual([
      { name: 'volley.reply_cache.hit', attributes: { 'volley.attempt': 2 } },
    ]);
  });
});

/** A span's events as name and attributes. */
function eventsOf(span: ReadableSpan): { name: string; attributes: unknown }[] {
  return span.events.map(({ name, attributes }) => ({ name, attributes }));
}

describe('tracing what a datagram cannot carry', () => {
  /** A traced UDP client whose TCP route is the server's TCP port, and the spans of one call. */
  async function setup() {
    const backend = await startTraced(backendRouter);
    const client = resources.track(
      createClient<BackendRouter>(backend.udpUrl, {
        interceptors: [clientTracing()],
        tcpFallback: backend.tcpUrl,
        retransmit: { initialRtoMs: MAX_RTO_MS },
      }),
    );
    const spansOf = async (name: string) => {
      const spans = await finishedSpans();
      const clientSpan = only(spans, SpanKind.CLIENT, name);
      const serverSpans = spans.filter((span) => span.kind === SpanKind.SERVER);
      for (const span of serverSpans) {
        expect(span.name).toBe(name);
        expect(span.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
      }
      return { clientSpan, serverSpans };
    };
    return { backend, client, spansOf };
  }

  it('shows a reply too large for a datagram as truncated on both spans, and its TCP fetch answered from the reply cache', async () => {
    const { client, spansOf } = await setup();

    expect((await client.store.big({ chars: 5000 })).text).toHaveLength(5000);

    const { clientSpan, serverSpans } = await spansOf('store/big');
    expect(clientSpan.attributes).toMatchObject({ 'network.transport': 'udp', 'rpc.volley.code': 'OK' });
    expect(eventsOf(clientSpan)).toEqual([{ name: 'volley.reply.truncated', attributes: {} }]);
    // The call ran once, over UDP; the fetch (the second transmission, over TCP) was a replay.
    expect(serverSpans).toHaveLength(2);
    const [ran, fetched] = serverSpans as [ReadableSpan, ReadableSpan];
    const replyBytes = ran.attributes['volley.reply.bytes'];
    expect(replyBytes).toBeGreaterThan(5000);
    expect(ran.attributes).toMatchObject({
      'network.transport': 'udp',
      'volley.attempt': 1,
      'volley.answer': 'dispatched',
      'rpc.volley.code': 'OK',
    });
    expect(eventsOf(ran)).toEqual([
      { name: 'volley.reply.truncated', attributes: { 'volley.reply.bytes': replyBytes } },
    ]);
    expect(fetched.attributes).toMatchObject({
      'network.transport': 'tcp',
      'volley.attempt': 2,
      'volley.answer': 'replayed',
      'rpc.volley.code': 'OK',
      'volley.reply.bytes': replyBytes,
    });
    expect(eventsOf(fetched)).toEqual([{ name: 'volley.reply_cache.hit', attributes: { 'volley.fetch': true } }]);
  });

  it('shows a cookie challenge to a first contact on both spans, and the retry with the cookie answered from the reply cache', async () => {
    const { client, spansOf } = await setup();

    // About 800 bytes for a request of about 130: above 3× the request, within a datagram.
    expect((await client.store.big({ chars: 800 })).text).toHaveLength(800);

    const { clientSpan, serverSpans } = await spansOf('store/big');
    expect(clientSpan.attributes['rpc.volley.code']).toBe('OK');
    expect(eventsOf(clientSpan)).toEqual([{ name: 'volley.cookie_challenge', attributes: {} }]);
    expect(serverSpans.map((span) => span.attributes['volley.attempt'])).toEqual([1, 2]);
    const [challenged, replayed] = serverSpans as [ReadableSpan, ReadableSpan];
    expect(challenged.attributes).toMatchObject({ 'volley.answer': 'dispatched', 'rpc.volley.code': 'OK' });
    const [challenge] = challenged.events;
    expect(challenged.events).toHaveLength(1);
    expect(challenge?.name).toBe('volley.cookie_challenge');
    // The budget is 3× the request datagram; the reply datagram (body and metadata) was over it.
    const requestBytes = challenged.attributes['volley.request.bytes'] as number;
    expect(challenge?.attributes).toEqual({
      'volley.reply.bytes': expect.any(Number),
      'volley.budget': 3 * requestBytes,
    });
    expect(challenge?.attributes?.['volley.reply.bytes']).toBeGreaterThan(3 * requestBytes);
    expect(challenge?.attributes?.['volley.reply.bytes']).toBeGreaterThanOrEqual(
      challenged.attributes['volley.reply.bytes'] as number,
    );
    expect(replayed.attributes).toMatchObject({
      'network.transport': 'udp',
      'volley.answer': 'replayed',
      'rpc.volley.code': 'OK',
      'volley.reply.bytes': challenged.attributes['volley.reply.bytes'],
    });
    expect(eventsOf(replayed)).toEqual([{ name: 'volley.reply_cache.hit', attributes: { 'volley.attempt': 2 } }]);
  });

  it('shows a request too large for a datagram as a TCP fallback on the client span; the server span is a TCP call', async () => {
    const { client, spansOf } = await setup();

    expect(await client.store.measure({ text: 'y'.repeat(3000) }, { timeoutMs: 10_000 })).toEqual({ length: 3000 });

    const { clientSpan, serverSpans } = await spansOf('store/measure');
    expect(clientSpan.attributes).toMatchObject({ 'network.transport': 'udp', 'rpc.volley.code': 'OK' });
    const [fallback] = clientSpan.events;
    expect(clientSpan.events).toHaveLength(1);
    expect(fallback?.name).toBe('volley.tcp_fallback');
    const requestBytes = fallback?.attributes?.['volley.request.bytes'];
    expect(requestBytes).toBeGreaterThan(3000);
    expect(serverSpans).toHaveLength(1);
    const [ran] = serverSpans as [ReadableSpan];
    // The same request, sent once, over the TCP route: the server saw the bytes the client counted.
    expect(ran.attributes).toMatchObject({
      'network.transport': 'tcp',
      'volley.attempt': 1,
      'volley.answer': 'dispatched',
      'volley.request.bytes': requestBytes,
      'rpc.volley.code': 'OK',
    });
    expect(ran.events).toEqual([]);
  });
});

describe('trace context a caller set itself', () => {
  const PARENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
  const PARENT_SPAN_ID = '00f067aa0ba902b7';

  it('takes a valid traceparent as the client span’s parent and sends the span’s own in its place', async () => {
    const backend = await startTraced(backendRouter);
    const client = tracedClient<BackendRouter>(backend.udpUrl);

    const seen = await client.store.seen(undefined, {
      trace: `00-${PARENT_TRACE_ID}-${PARENT_SPAN_ID}-01`,
      traceState: 'vendor=x',
    });

    const clientSpan = only(await finishedSpans(), SpanKind.CLIENT, 'store/seen');
    expect(clientSpan.spanContext().traceId).toBe(PARENT_TRACE_ID);
    expect(clientSpan.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
    expect(seen).toEqual({
      trace: `00-${PARENT_TRACE_ID}-${clientSpan.spanContext().spanId}-01`,
      traceState: 'vendor=x',
    });
  });

  it('sends an opaque token unchanged, and still traces the call', async () => {
    const backend = await startTraced(backendRouter);
    const client = tracedClient<BackendRouter>(backend.udpUrl);

    expect(await client.store.seen(undefined, { trace: 'request-1234' })).toEqual({
      trace: 'request-1234',
      traceState: null,
    });
    const spans = await finishedSpans();
    expect(only(spans, SpanKind.CLIENT, 'store/seen').parentSpanContext).toBeUndefined();
    // The server could not read a parent from it: its span starts a trace of its own.
    expect(only(spans, SpanKind.SERVER, 'store/seen').parentSpanContext).toBeUndefined();
  });
});

describe('without an OpenTelemetry SDK', () => {
  it('calls work and carry no trace context', async () => {
    trace.disable();
    const backend = await startTraced(backendRouter);
    const client = tracedClient<BackendRouter>(backend.tcpUrl);

    expect(await client.store.seen()).toEqual({ trace: null, traceState: null });
    expect(await finishedSpans()).toEqual([]);
  });
});
