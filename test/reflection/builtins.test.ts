import { type ClientMethods, createClient } from '@volley/client';
import { type BaseContext, middleware, procedure, router } from '@volley/router';
import { type HealthReport, PROTOCOL_VERSION, type ServiceManifest, type StatsReport } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createProbe,
  createTestRouter,
  errorOf,
  Resources,
  startTestServer,
  type TestServer,
  waitFor,
} from '../support/index.js';

const resources = new Resources();
afterEach(() => resources.closeAll());

async function serve(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  return resources.track(await startTestServer(options));
}

function clientFor(url: string): ClientMethods {
  return resources.track(createClient(url, { timeoutMs: 2000 }));
}

describe.each(['udp', 'tcp'] as const)('built-in procedures over %s', (transport) => {
  const urlOf = (server: TestServer) => (transport === 'udp' ? server.udpUrl : server.tcpUrl);

  it('$describe lists every procedure with JSON Schema, flags, descriptions and examples', async () => {
    const server = await serve({ server: { service: { name: 'app', version: '1.2.3' } } });
    const manifest = (await clientFor(urlOf(server)).call('$describe')) as ServiceManifest;
    expect(manifest.protocol).toBe(PROTOCOL_VERSION);
    expect(manifest.service).toEqual({ name: 'app', version: '1.2.3' });
    const names = manifest.procedures.map((p) => p.name);
    expect(names).toEqual([
      'echo.add',
      'echo.echo',
      'echo.fail',
      'echo.ping',
      'echo.slow',
      'kv.delete',
      'kv.get',
      'kv.list',
      'kv.set',
    ]);
    const add = manifest.procedures.find((p) => p.name === 'echo.add');
    expect(add).toMatchObject({
      description: 'Adds two numbers.',
      idempotent: true,
      input: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
      output: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] },
      examples: [{ input: { a: 1, b: 2 }, output: { sum: 3 } }],
    });
    const set = manifest.procedures.find((p) => p.name === 'kv.set');
    expect(set?.idempotent).toBe(false);
    // Input as callers send it: an optional field is optional, a defaulted one too.
    expect(set?.input).toMatchObject({ required: ['key', 'value'] });
    const fail = manifest.procedures.find((p) => p.name === 'echo.fail');
    expect(fail?.input).toMatchObject({ required: ['code'] });
    expect(fail).not.toHaveProperty('output');
    expect(manifest.procedures.find((p) => p.name === 'echo.ping')).not.toHaveProperty('input');
    // kv.list's input is `.optional()`: callable bare, which JSON Schema cannot say of the value.
    expect(manifest.procedures.find((p) => p.name === 'kv.list')).toMatchObject({ inputOptional: true });
    expect(add).not.toHaveProperty('inputOptional');
  });

  it('$health says serving, with uptime and the protocol version', async () => {
    const server = await serve();
    const health = (await clientFor(urlOf(server)).call('$health')) as HealthReport;
    expect(health).toMatchObject({ status: 'serving', protocol: PROTOCOL_VERSION, inFlight: 0 });
    expect(health.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(health.incarnation).toBe(server.server.incarnation);
    // A server on its own is no worker: the key is absent, not null.
    expect(health).not.toHaveProperty('worker');
  });

  it('$health and server.stats say which worker of how many answered, when the server is one', async () => {
    const server = await serve({ server: { worker: { id: 2, count: 3 } } });
    const health = (await clientFor(urlOf(server)).call('$health')) as HealthReport;
    expect(health.worker).toEqual({ id: 2, count: 3, pid: process.pid });
    expect(server.server.stats.worker).toEqual({ id: 2, count: 3 });
  });

  it('$stats reports calls per procedure since the server started, with what $health says and its counters', async () => {
    const server = await serve();
    const client = clientFor(urlOf(server));
    await client.call('echo.add', { a: 1, b: 2 });
    await client.call('echo.add', { a: 3, b: 4 });
    await errorOf(client.call('echo.add', { a: 'x' }));
    const report = (await client.call('$stats')) as StatsReport;

    // Over UDP the client's incarnation probe, `$health`, went with its first call.
    const probes = report.series.find((one) => one.procedure === '$health' && one.transport === transport);
    expect(probes?.calls.OK ?? 0).toBe(transport === 'udp' ? 1 : 0);
    expect(report).toMatchObject({
      status: 'serving',
      protocol: PROTOCOL_VERSION,
      incarnation: server.server.incarnation,
      inFlight: 0,
      // The $stats call itself reached dispatch before it made the report: the fourth call, or fifth.
      counters: { calls: 4 + (probes?.calls.OK ?? 0), failedCalls: 1 },
    });
    expect(report.startedAt).toBeLessThanOrEqual(Date.now());
    expect(report.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(report).not.toHaveProperty('worker');
    const add = report.series.find((one) => one.procedure === 'echo.add' && one.transport === transport);
    // Over UDP the validation error (≈290 bytes) exceeds 3× the request to a source without a
    // cookie: it is kept and a challenge goes instead; the retry with the cookie is a replay.
    const replayed = transport === 'udp' ? 1 : 0;
    expect(add).toMatchObject({ calls: { OK: 2, BAD_REQUEST: 1 }, inFlight: 0, replayed, dropped: 0 });
    expect(add?.durationMs.count).toBe(3);
    expect(add?.durationMs.counts).toHaveLength((add?.durationMs.boundaries.length ?? 0) + 1);
    // The report counts the call that asks for it: it is in flight while the report is made.
    const own = report.series.find((one) => one.procedure === '$stats' && one.transport === transport);
    expect(own).toMatchObject({ calls: { OK: 0 }, inFlight: 1 });
  });

  it('answers NOT_FOUND for built-ins turned off', async () => {
    const server = await serve({ server: { reflection: false, health: false, stats: false } });
    const client = clientFor(urlOf(server));
    expect(await errorOf(client.call('$describe'))).toMatchObject({ code: 'NOT_FOUND', notExecuted: true });
    expect(await errorOf(client.call('$health'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await errorOf(client.call('$stats'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await client.call('echo.add', { a: 1, b: 1 })).toEqual({ sum: 2 });
  });
});

describe('$stats', () => {
  it('comes back over UDP though larger than a datagram: truncated, then fetched over TCP', async () => {
    const server = await serve();
    const client = clientFor(server.udpUrl);
    for (const key of ['a', 'b']) await client.call('kv.set', { key, value: 'v' });
    for (const key of ['a', 'b']) await client.call('kv.get', { key });
    const report = (await client.call('$stats')) as StatsReport;
    // `$health` is the client's incarnation probe, sent with its first call.
    expect(report.series.map((one) => `${one.procedure} ${one.transport}`)).toEqual([
      '$health udp',
      '$stats udp',
      'kv.get udp',
      'kv.set udp',
    ]);
    expect(server.server.stats.truncatedReplies).toBe(1);
    const fetched = server.server.callStats?.snapshot().series.find((one) => one.transport === 'tcp');
    expect(fetched).toMatchObject({ procedure: '$stats', calls: { OK: 0 }, replayed: 1 });
  });

  it('is off with reflection: false, which keeps the procedure names it would list private, unless stats: true', async () => {
    const hidden = await serve({ server: { reflection: false } });
    expect(await errorOf(clientFor(hidden.tcpUrl).call('$stats'))).toMatchObject({ code: 'NOT_FOUND' });
    const shown = await serve({ server: { reflection: false, stats: true } });
    expect(await clientFor(shown.tcpUrl).call('$stats')).toMatchObject({ status: 'serving' });
    expect(await errorOf(clientFor(shown.tcpUrl).call('$describe'))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('is off with callStats: false, and asking for it then is an error at creation', async () => {
    const server = await serve({ server: { callStats: false } });
    expect(await errorOf(clientFor(server.tcpUrl).call('$stats'))).toMatchObject({ code: 'NOT_FOUND' });
    await expect(serve({ server: { callStats: false, stats: true } })).rejects.toThrow(/callStats: false/);
  });

  it('keeps answering while the server drains, when its reply fits a datagram', async () => {
    // A draining server accepts no TCP connection, so a reply too large for a datagram could not
    // be fetched: on a LAN, raise the datagram size on both ends (docs/observability.md).
    const maxDatagramBytes = 65_507;
    const probe = createProbe();
    const server = await serve({ router: createTestRouter(probe), udp: { maxDatagramBytes } });
    const watcher = resources.track(createClient(server.udpUrl, { timeoutMs: 2000, maxDatagramBytes }));
    const held = clientFor(server.tcpUrl).call('probe.hold');
    await waitFor(() => probe.holding === 1, { what: 'the held call to run' });
    const closing = server.server.close({ graceMs: 5000 });

    const report = (await watcher.call('$stats')) as StatsReport;
    expect(report).toMatchObject({ status: 'draining', inFlight: 1 });
    expect(report.series.find((one) => one.procedure === 'probe.hold')).toMatchObject({ inFlight: 1 });
    expect(await errorOf(watcher.call('probe.add', { a: 1, b: 1 }))).toMatchObject({ code: 'UNAVAILABLE' });
    probe.release();
    await held;
    await closing;
  });
});

describe('$health during a drain', () => {
  it('answers draining while a call is still running, when other calls are refused', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const hold = procedure.handler(async () => {
      await held;
      return 'done';
    });
    const server = await serve({
      router: router({ hold, echo: procedure.input(z.string()).handler(({ input }) => input) }),
    });
    const client = clientFor(server.tcpUrl);
    const other = clientFor(server.udpUrl);
    const running = client.call('hold');
    await waitFor(() => server.server.inFlight === 1, { what: 'the call to reach the server' });
    const closing = server.server.close({ graceMs: 5000 });
    expect(await other.call('$health')).toMatchObject({ status: 'draining', inFlight: 1 });
    expect(await errorOf(other.call('echo', 'x'))).toMatchObject({ code: 'UNAVAILABLE', notExecuted: true });
    release();
    expect(await running).toBe('done');
    await closing;
  });
});

describe('procedure metadata for tools', () => {
  it('reports deprecation and schemas zod cannot express as JSON Schema as "any value"', async () => {
    const app = router({
      old: procedure
        .deprecated('use new')
        .input(z.object({ id: z.bigint() }))
        .handler(() => 1),
      plain: procedure.deprecated().handler(() => 1),
    });
    const server = await serve({ router: app });
    const manifest = (await clientFor(server.tcpUrl).call('$describe')) as ServiceManifest;
    expect(manifest.procedures[0]).toMatchObject({
      name: 'old',
      deprecated: 'use new',
      input: { properties: { id: {} } },
    });
    expect(manifest.procedures[1]).toMatchObject({ name: 'plain', deprecated: true });
  });

  it('refuses user procedures named like built-ins', () => {
    expect(() => router({ $describe: procedure.handler(() => 1) })).toThrow(/must match/);
  });
});

describe('application metadata', () => {
  it.each(['udp', 'tcp'] as const)(
    'reaches middleware and handlers over %s, call keys over client keys',
    async (transport) => {
      const seen: Array<Record<string, string> | undefined> = [];
      const record = middleware<BaseContext>()(({ ctx, next }) => {
        seen.push(ctx.meta.metadata);
        return next();
      });
      const server = await serve({
        router: router({ who: procedure.use(record).handler(({ ctx }) => ctx.meta.metadata ?? null) }),
      });
      const url = transport === 'udp' ? server.udpUrl : server.tcpUrl;
      const client = resources.track(createClient(url, { metadata: { tenant: 'blue', region: 'eu' } }));
      expect(await client.call('who', undefined, { metadata: { tenant: 'green' } })).toEqual({
        tenant: 'green',
        region: 'eu',
      });
      expect(seen).toEqual([{ tenant: 'green', region: 'eu' }]);
    },
  );

  it('refuses metadata values that are not strings as a malformed request', async () => {
    const server = await serve();
    const client = resources.track(createClient(server.tcpUrl, { metadata: { n: 1 as unknown as string } }));
    expect(await errorOf(client.call('echo.ping'))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
