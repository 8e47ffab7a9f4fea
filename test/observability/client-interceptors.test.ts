import { type ClientInterceptor, createClient, type OutgoingCall } from '@volley/client';
import { procedure, router } from '@volley/router';
import { createServer } from '@volley/server';
import { MemoryNetwork } from '@volley/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogCapture, listenOnLoopback, Resources } from '../support/index.js';

const testRouter = router({
  echo: router({
    meta: procedure.input(z.object({ n: z.number() })).handler(({ input, ctx }) => ({
      n: input.n,
      metadata: ctx.meta.metadata ?? null,
      trace: ctx.meta.trace ?? null,
      traceState: ctx.meta.traceState ?? null,
    })),
  }),
});

const resources = new Resources();
afterEach(() => resources.closeAll());

async function startServer() {
  const server = createServer({ router: testRouter, logger: createLogCapture('warn').logger });
  return resources.track(await listenOnLoopback(server));
}

describe('client interceptors', () => {
  it('wrap every call, the first outermost, and may change its options before it is sent', async () => {
    const server = await startServer();
    const order: string[] = [];
    const outer: ClientInterceptor = async (call, next) => {
      order.push(`outer ${call.procedure} ${call.target.transport}:${call.target.port}`);
      call.options.metadata = { ...call.options.metadata, tenant: 'a' };
      const result = await next(call);
      order.push('outer done');
      return result;
    };
    const inner: ClientInterceptor = (call, next) => {
      order.push(`inner sees tenant ${call.options.metadata?.tenant}`);
      call.options.trace = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      call.options.traceState = 'vendor=opaque';
      return next(call);
    };
    const client = resources.track(
      createClient<typeof testRouter>(server.udpUrl, { interceptors: [outer, inner], metadata: { app: 'x' } }),
    );
    expect(await client.echo.meta({ n: 1 })).toEqual({
      n: 1,
      metadata: { app: 'x', tenant: 'a' },
      trace: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      traceState: 'vendor=opaque',
    });
    expect(order).toEqual([`outer echo.meta udp:${server.udpPort}`, 'inner sees tenant a', 'outer done']);
  });

  it('see failures: a server error, and a local one before anything was sent', async () => {
    const server = await startServer();
    const seen: string[] = [];
    const recording: ClientInterceptor = async (call, next) => {
      try {
        return await next(call);
      } catch (error) {
        seen.push(`${call.procedure} ${(error as { code: string }).code}`);
        throw error;
      }
    };
    const client = createClient<typeof testRouter>(server.tcpUrl, { interceptors: [recording] });
    await expect(client.call('echo.missing', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await client.close();
    await expect(client.echo.meta({ n: 1 })).rejects.toMatchObject({ code: 'CLOSED' });
    expect(seen).toEqual(['echo.missing NOT_FOUND', 'echo.meta CLOSED']);
  });

  it('turn a synchronous throw into a rejection, and may answer without calling next', async () => {
    const server = await startServer();
    const cached: ClientInterceptor = (call, next) =>
      call.procedure === 'echo.cached' ? Promise.resolve('hit') : next(call);
    const broken: ClientInterceptor = () => {
      throw new Error('interceptor bug');
    };
    const client = resources.track(createClient<typeof testRouter>(server.udpUrl, { interceptors: [cached, broken] }));
    expect(await client.call('echo.cached', {})).toBe('hit');
    await expect(client.echo.meta({ n: 1 })).rejects.toThrow('interceptor bug');
  });

  it('run once per call around every attempt of a client over several endpoints', async () => {
    const first = await startServer();
    const second = await startServer();
    const calls: OutgoingCall[] = [];
    const client = resources.track(
      createClient<typeof testRouter>([first.udpUrl, second.udpUrl], {
        interceptors: [
          (call, next) => {
            calls.push(call);
            return next(call);
          },
        ],
      }),
    );
    for (let n = 0; n < 4; n++) expect((await client.echo.meta({ n })).n).toBe(n);
    expect(calls.map((call) => call.target.url)).toEqual(Array(4).fill(`${first.udpUrl}, ${second.udpUrl}`));
  });
});

describe('call events', () => {
  it('tell a call of its retransmissions as they happen', async () => {
    // The call's first datagram (the second the client sends, after its incarnation probe) is
    // lost, every other one arrives: one retransmission.
    let draws = 0;
    const network = new MemoryNetwork({
      mode: 'datagram',
      faults: { loss: 0.5, random: () => (draws++ === 1 ? 0 : 0.99) },
    });
    const server = createServer({ router: testRouter, logger: createLogCapture('warn').logger });
    await server.listen({ memory: { name: 'events', network } });
    resources.track(server);
    const events: [string, unknown][] = [];
    const client = resources.track(createClient<typeof testRouter>('memory://events', { memoryNetwork: network }));
    const result = await client.echo.meta({ n: 7 }, { onEvent: (name, attributes) => events.push([name, attributes]) });
    expect(result.n).toBe(7);
    expect(events).toEqual([['volley.retransmit', { 'volley.attempt': 2 }]]);
  });

  it('keep a listener that throws from breaking the call (it runs on the client timer)', async () => {
    // As above: the call's first datagram is lost.
    let draws = 0;
    const network = new MemoryNetwork({
      mode: 'datagram',
      faults: { loss: 0.5, random: () => (draws++ === 1 ? 0 : 0.99) },
    });
    const server = createServer({ router: testRouter, logger: createLogCapture('warn').logger });
    await server.listen({ memory: { name: 'throwing-listener', network } });
    resources.track(server);
    const logs = createLogCapture('warn');
    const client = resources.track(
      createClient<typeof testRouter>('memory://throwing-listener', { memoryNetwork: network, logger: logs.logger }),
    );
    const onEvent = () => {
      throw new Error('listener bug');
    };
    expect((await client.echo.meta({ n: 8 }, { onEvent })).n).toBe(8);
    expect(logs.withMessage('a call event listener threw; the call went on')).toHaveLength(1);
  });
});

describe('call sizes', () => {
  it.each(['udp', 'tcp'] as const)(
    'tell a call over %s the bytes of its request and of its reply',
    async (transport) => {
      const server = await startServer();
      const client = resources.track(
        createClient<typeof testRouter>(transport === 'udp' ? server.udpUrl : server.tcpUrl),
      );
      const small: [number, number][] = [];
      const large: [number, number][] = [];
      await client.echo.meta({ n: 1 }, { onSizes: (request, reply) => small.push([request, reply]) });
      await client.echo.meta(
        { n: 1 },
        { metadata: { pad: 'x'.repeat(100) }, onSizes: (request, reply) => large.push([request, reply]) },
      );
      expect(small).toHaveLength(1);
      expect(large).toHaveLength(1);
      const [[request, reply]] = small as [[number, number]];
      expect(request).toBeGreaterThan(10);
      expect(reply).toBeGreaterThan(10);
      // The padding goes out in the request's metadata and comes back in the reply's result.
      expect(large[0]?.[0]).toBeGreaterThanOrEqual(request + 100);
      expect(large[0]?.[1]).toBeGreaterThanOrEqual(reply + 100);
    },
  );

  it('tell a call that got no reply its request, the reply 0; a call never sent is not told', async () => {
    const network = new MemoryNetwork({ mode: 'datagram', faults: { loss: 1, random: () => 0 } });
    const server = createServer({ router: testRouter, logger: createLogCapture('warn').logger });
    await server.listen({ memory: { name: 'sizes-lost', network } });
    resources.track(server);
    const client = createClient<typeof testRouter>('memory://sizes-lost', { memoryNetwork: network });
    const sizes: [number, number][] = [];
    const onSizes = (request: number, reply: number) => sizes.push([request, reply]);
    await expect(client.echo.meta({ n: 1 }, { timeoutMs: 50, onSizes })).rejects.toMatchObject({
      code: 'DEADLINE_EXCEEDED',
    });
    expect(sizes).toEqual([[expect.any(Number), 0]]);
    expect(sizes[0]?.[0]).toBeGreaterThan(10);
    await client.close();
    await expect(client.echo.meta({ n: 2 }, { onSizes })).rejects.toMatchObject({ code: 'CLOSED' });
    expect(sizes).toHaveLength(1);
  });

  it('keep a listener that throws from breaking the call', async () => {
    const server = await startServer();
    const logs = createLogCapture('warn');
    const client = resources.track(createClient<typeof testRouter>(server.tcpUrl, { logger: logs.logger }));
    const onSizes = () => {
      throw new Error('listener bug');
    };
    expect((await client.echo.meta({ n: 9 }, { onSizes })).n).toBe(9);
    expect(logs.withMessage('a call sizes listener threw; the call went on')).toHaveLength(1);
  });
});
