/**
 * A client over several endpoints, on real sockets: calls spread over every server; a call that
 * did not run moves to another endpoint; an idempotent one moves after failing in a way that may
 * have run it; a dead or draining endpoint is ejected and probed back in; retries stay within the
 * retry budget; stats per endpoint.
 */
import { createClient, isRpcError, RpcError } from '@volley/client';
import { createServer, type ServerOptions } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogCapture } from '../support/log-capture.js';
import { createProbe, createTestRouter, type Probe, type TestRouter } from '../support/probe-router.js';
import { Resources } from '../support/resources.js';
import { createSeededRandom as seededRandom } from '../support/seeded-random.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait-for.js';

const open = new Resources();
afterEach(() => open.closeAll());

/** `count` probe servers on loopback. */
async function startServers(
  count: number,
  server?: Omit<ServerOptions, 'router' | 'logger'>,
): Promise<{ app: TestServer; probe: Probe }[]> {
  const servers = [];
  for (let i = 0; i < count; i++) {
    const probe = createProbe();
    servers.push({ app: open.track(await startTestServer({ router: createTestRouter(probe), server })), probe });
  }
  return servers;
}

/** A new probe server on the UDP and TCP ports `app` had: the same instance, restarted. */
async function restartOn(app: TestServer): Promise<{ server: ReturnType<typeof createServer>; probe: Probe }> {
  const probe = createProbe();
  const server = createServer({ router: createTestRouter(probe), logger: createLogCapture().logger });
  await server.listen({
    udp: { host: '127.0.0.1', port: app.udpPort },
    tcp: { host: '127.0.0.1', port: app.tcpPort },
  });
  open.track({ close: () => server.close({ graceMs: 0 }) });
  return { server, probe };
}

/** Procedure flags as generated stubs carry them. */
const procedures = { 'probe.peek': { idempotent: true }, 'probe.bump': { idempotent: false } };

describe.each(['udp', 'tcp'] as const)('a client over several %s endpoints', (transport) => {
  const urlOf = (app: TestServer) => (transport === 'udp' ? app.udpUrl : app.tcpUrl);

  it('spreads calls over every endpoint and reports each in stats.endpoints', async () => {
    const servers = await startServers(3);
    const client = open.track(
      createClient<TestRouter>(
        servers.map(({ app }) => urlOf(app)),
        { procedures, balancing: { random: seededRandom(7) } },
      ),
    );
    await client.probe.peek({ n: -1 });
    await waitFor(() => client.stats.endpoints?.every((e) => e.state === 'ready') === true, { what: 'all ready' });
    const calls = Array.from({ length: 300 }, (_, n) => client.probe.bump({ n }));
    await Promise.all(calls);
    const runs = servers.map(({ probe }) => probe.report().requests - probe.executionsOf(-1));
    expect(runs.reduce((a, b) => a + b)).toBe(300);
    // Power of two choices on equal servers: none idle, none with most of the load.
    for (const count of runs) expect(count).toBeGreaterThan(40);
    const endpoints = client.stats.endpoints ?? [];
    expect(endpoints.map((e) => e.state)).toEqual(['ready', 'ready', 'ready']);
    expect(endpoints.reduce((sum, e) => sum + e.calls, 0)).toBe(301);
    expect(client.stats.calls).toBe(301);
    // Each endpoint's `$health` probe taught its engine the incarnation: no incarnation probe went out.
    expect(client.stats.incarnationProbes).toBe(0);
  });

  it('moves idempotent calls off a dead endpoint, ejects it, and loses none', async () => {
    const servers = await startServers(3);
    const client = open.track(
      createClient<TestRouter>(
        servers.map(({ app }) => urlOf(app)),
        { procedures, balancing: { random: seededRandom(3) } },
      ),
    );
    await Promise.all(Array.from({ length: 30 }, (_, n) => client.probe.peek({ n })));
    const [dead] = servers;
    await dead?.app.close();
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, n) => client.probe.peek({ n })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const deadStats = client.stats.endpoints?.find((e) => dead && e.url === urlOf(dead.app));
    expect(deadStats?.state).toBe('ejected');
    expect(deadStats?.ejections).toBeGreaterThanOrEqual(1);
    expect(client.stats.failovers).toBeGreaterThan(0);
  });

  it('moves calls refused by a draining server, which says they did not run, whatever the procedure', async () => {
    const servers = await startServers(2);
    const client = open.track(
      createClient<TestRouter>(
        servers.map(({ app }) => urlOf(app)),
        { procedures, balancing: { random: seededRandom(5) } },
      ),
    );
    await Promise.all(Array.from({ length: 20 }, (_, n) => client.probe.bump({ n })));
    const [draining, other] = servers;
    if (!draining || !other) throw new Error('two servers');
    // Calls held on the draining server keep it draining (not closed) while the others arrive.
    const held = Array.from({ length: 10 }, () => client.probe.hold({}));
    await waitFor(() => draining.probe.holding > 0 && other.probe.holding > 0, { what: 'calls held on both' });
    other.probe.release();
    const drained = draining.app.server.close({ graceMs: 10_000 });
    const before = draining.probe.executions;
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, n) => client.probe.bump({ n: 100 + n })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    // Every one of them ran exactly once, on the server not draining.
    expect(draining.probe.executions).toBe(before);
    expect(other.probe.report().maxExecutionsPerRequest).toBe(1);
    for (let n = 100; n < 200; n++) expect(other.probe.executionsOf(n)).toBe(1);
    draining.probe.release();
    other.probe.release();
    await Promise.all(held);
    await drained;
  });

  it('probes an ejected endpoint with $health while it is down, and takes it back once its restart answers', async () => {
    const servers = await startServers(2);
    const [kept, restarting] = servers;
    if (!kept || !restarting) throw new Error('two servers');
    const logs = createLogCapture('info');
    const client = open.track(
      createClient<TestRouter>(
        servers.map(({ app }) => urlOf(app)),
        {
          procedures,
          logger: logs.logger,
          // Short ejections, so that the probes come within the test's time.
          balancing: { random: seededRandom(13), outlier: { baseEjectionMs: 20, maxEjectionMs: 100 } },
        },
      ),
    );
    const url = urlOf(restarting.app);
    const stats = () => client.stats.endpoints?.find((e) => e.url === url);
    await waitFor(() => client.stats.endpoints?.every((e) => e.state === 'ready') === true, { what: 'both ready' });

    await restarting.app.close();
    // Idempotent calls find it down, move to the other server, and eject it.
    for (let n = 0; n < 100 && stats()?.state === 'ready'; n++)
      await Promise.all(Array.from({ length: 10 }, (_, k) => client.probe.peek({ n: 10 * n + k })));
    expect(stats()?.state).not.toBe('ready');
    // Each ejection ends in a probe; while the server is down the probe fails and ejects it again.
    await waitFor(() => (stats()?.ejections ?? 0) >= 2, { what: 'a failed probe ejecting it again' });
    expect(stats()?.state).not.toBe('ready');

    const restarted = await restartOn(restarting.app);
    await waitFor(() => stats()?.state === 'ready', { what: 'the restarted endpoint back in rotation' });
    // What brought it back is the probe: the one call the restarted server has had is `$health`.
    expect(restarted.server.stats.calls).toBeGreaterThanOrEqual(1);
    expect(restarted.probe.executions).toBe(0);
    expect(logs.withMessage('endpoint back in rotation')).toContainEqual(
      expect.objectContaining({ endpoint: url, why: 'probe answered' }),
    );
    const ejections = stats()?.ejections ?? 0;
    const callsBefore = stats()?.calls ?? 0;

    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, n) => client.probe.bump({ n: 5_000 + n })),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(restarted.probe.executions).toBeGreaterThan(0);
    expect(stats()).toMatchObject({ state: 'ready', ejections });
    expect(stats()?.calls).toBe(callsBefore + restarted.probe.executions);
  });
});

it('retries within the retry budget only: a call denied a retry fails with the refusal it got, counted in stats.retriesDenied', async () => {
  // Both servers run one call at a time and are busy with one: they refuse every other call
  // RESOURCE_EXHAUSTED, not executed, which is worth a retry on the other endpoint.
  const servers = await startServers(2, { maxInFlight: 1 });
  const client = open.track(
    createClient<TestRouter>(
      servers.map(({ app }) => app.udpUrl),
      {
        procedures,
        balancing: { random: seededRandom(17) },
        // Three retries per 10 s, whatever the calls: 0.3 a second over the 10 s window, none earned per call.
        retry: { maxAttempts: 3, budget: { fraction: 0, minPerSecond: 0.3 } },
      },
    ),
  );
  await waitFor(() => client.stats.endpoints?.every((e) => e.state === 'ready') === true, { what: 'both ready' });
  const holders = servers.map(({ app }) => open.track(createClient<TestRouter>(app.udpUrl)));
  const held = holders.map((holder) => holder.probe.hold({}));
  await waitFor(() => servers.every(({ probe }) => probe.holding === 1), { what: 'both servers busy' });
  const refused = () => servers.reduce((sum, { app }) => sum + app.server.stats.overloadRejected, 0);

  const failures: unknown[] = [];
  const attempts: number[] = [];
  for (let n = 0; n < 3; n++) {
    const before = refused();
    failures.push(await client.probe.bump({ n }).catch((error: unknown) => error));
    attempts.push(refused() - before);
  }

  // Three attempts (two retries), then two (a third retry, then one denied), then one (denied).
  expect(attempts).toEqual([3, 2, 1]);
  expect(client.stats.callRetries).toBe(3);
  expect(client.stats.retriesDenied).toBe(2);
  for (const failure of failures) {
    expect(failure).toBeInstanceOf(RpcError);
    expect(failure).toMatchObject({ code: 'RESOURCE_EXHAUSTED', notExecuted: true, local: false });
    expect((failure as RpcError).message).toMatch(/saturated/);
  }
  // None of them ran: each server ran only the call it holds.
  for (const { probe } of servers) expect(probe.executions).toBe(1);
  for (const { probe } of servers) probe.release();
  await Promise.all(held);
});

it('ejects a second dead endpoint past the ejection cap while another answers, so calls stop failing on it', async () => {
  const servers = await startServers(3);
  const client = open.track(
    createClient<TestRouter>(
      servers.map(({ app }) => app.udpUrl),
      { procedures, balancing: { random: seededRandom(9) } },
    ),
  );
  await Promise.all(Array.from({ length: 30 }, (_, n) => client.probe.peek({ n })));
  const [first, second, alive] = servers;
  if (!first || !second || !alive) throw new Error('three servers');
  await first.app.close();
  await second.app.close();
  const deadUrls = [first.app.udpUrl, second.app.udpUrl];
  const deadStates = () => client.stats.endpoints?.filter((e) => deadUrls.includes(e.url)).map((e) => e.state);
  // Idempotent calls find both dead, one call at a time (each failure moves it to another endpoint).
  for (let n = 100; n < 300 && deadStates()?.includes('ready'); n++) await client.probe.peek({ n }).catch(() => {});
  // The cap (half of three: one) held the second one in rotation, where every call failed.
  expect(deadStates()).not.toContain('ready');
  const results = await Promise.allSettled(Array.from({ length: 100 }, (_, n) => client.probe.bump({ n: 1_000 + n })));
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  for (let n = 1_000; n < 1_100; n++) expect(alive.probe.executionsOf(n)).toBe(1);
});

it('fails a non-idempotent call that may have run rather than run it elsewhere', async () => {
  const servers = await startServers(2);
  const client = open.track(
    createClient<TestRouter>(
      servers.map(({ app }) => app.tcpUrl),
      { procedures, balancing: { random: seededRandom(11) } },
    ),
  );
  await client.probe.bump({ n: 0 });
  const [closing, other] = servers;
  if (!closing || !other) throw new Error('two servers');
  // Both servers hold calls; then one closes with its calls in progress, which fail there.
  const held = Array.from({ length: 10 }, () => client.probe.hold({}).catch((error: unknown) => error));
  await waitFor(() => closing.probe.holding > 0 && other.probe.holding > 0, { what: 'calls held on both servers' });
  const heldElsewhere = other.probe.holding;
  await closing.app.close();
  other.probe.release();
  const failures = (await Promise.all(held)).filter(isRpcError);
  expect(failures.length).toBe(10 - heldElsewhere);
  for (const failure of failures) expect(failure.notExecuted).toBe(false);
  // None of them ran again on the other server.
  expect(other.probe.report().requests).toBe(heldElsewhere + (other.probe.executionsOf(0) > 0 ? 1 : 0));
});

it('rejects a tcpFallback URL with several endpoints: it names one server', () => {
  expect(() => createClient(['udp://127.0.0.1:1', 'udp://127.0.0.1:2'], { tcpFallback: 'tcp://127.0.0.1:3' })).toThrow(
    /tcpFallback names one server/,
  );
});

it('resolves a host name through the system: udp://localhost reaches a server on 127.0.0.1', async () => {
  const [server] = await startServers(1);
  if (!server) throw new Error('one server');
  const client = open.track(createClient<TestRouter>(`udp://localhost:${server.app.udpPort}`, { procedures }));
  expect(await client.probe.peek({ n: 1 })).toEqual({ n: 1 });
  const endpoints = client.stats.endpoints ?? [];
  expect(endpoints.map((e) => e.url)).toContain(`udp://127.0.0.1:${server.app.udpPort}`);
  expect(endpoints.every((e) => e.name === 'localhost')).toBe(true);
});

it('moves an idempotent call that got no reply within its share of the deadline, and only an idempotent one', async () => {
  const servers = await startServers(2);
  const client = open.track(
    createClient<TestRouter>(
      servers.map(({ app }) => app.udpUrl),
      { procedures: { 'probe.holdIdempotent': { idempotent: true } }, balancing: { random: seededRandom(2) } },
    ),
  );
  await client.probe.peek({ n: 0 });
  await waitFor(() => client.stats.endpoints?.every((e) => e.state === 'ready') === true, { what: 'both ready' });
  // The first server to get it holds it (a server that went silent); the call moves to the other
  // after a third of its 1.5 s, and the other answers.
  const call = client.probe.holdIdempotent({}, { timeoutMs: 1_500 });
  await waitFor(() => servers.some(({ probe }) => probe.holding > 0), { what: 'the first attempt' });
  const first = servers.find(({ probe }) => probe.holding > 0);
  const second = servers.find((server) => server !== first);
  await waitFor(() => (second?.probe.holding ?? 0) > 0, { what: 'the attempt on the other server' });
  second?.probe.release();
  expect(await call).toEqual({ released: true });
  expect(client.stats.failovers).toBe(1);
  // A non-idempotent call that may have run stays where it is and fails at its deadline.
  const once = client.probe.hold({}, { timeoutMs: 600 }).catch((error: unknown) => error);
  const failure = await once;
  expect(isRpcError(failure) && failure.code).toBe('DEADLINE_EXCEEDED');
  expect(client.stats.failovers).toBe(1);
  first?.probe.release();
  second?.probe.release();
});
