/**
 * Failover proof with real parts (issue 16 §3): a real DNS server (dnsmasq) publishes one name
 * whose instances are separate server processes on 127.0.0.11, .12, .13…; one client on the name
 * carries a stream of calls from 64 concurrent callers while instances are killed, drained, added
 * to and removed from DNS. Every instance reports each execution as it happens, so runs are
 * summed per call over all of them: idempotent calls never fail, a non-idempotent call fails only
 * saying it may have run and never runs twice, a dead instance is ejected within a bounded number
 * of failures, and the load spreads evenly over what is left. Skips, saying why, where dnsmasq is
 * not installed; never on CI.
 */
import { type ClientStats, createClient, type EndpointStats, type VolleyClient } from '@volley/client';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Dnsmasq, dnsmasqSkipReason, startDnsmasq } from '../support/dnsmasq.js';
import type { TestRouter } from '../support/probe-router.js';
import { Resources } from '../support/resources.js';
import { createSeededRandom } from '../support/seeded-random.js';
import { waitFor } from '../support/wait-for.js';
import { CallLoad } from './fixtures/call-load.js';
import { InstanceProcess, instanceCpu, pickSharedPort } from './fixtures/instances.js';

const skipReason = process.env.CI ? undefined : dnsmasqSkipReason();
const NAME = 'kv.test.internal';
const HOSTS = ['127.0.0.11', '127.0.0.12', '127.0.0.13'] as const;
const ADDED_HOST = '127.0.0.14';
/** Procedure flags as generated stubs carry them. */
const procedures = { 'probe.peek': { idempotent: true }, 'probe.bump': { idempotent: false } };
/** Callers on the one client, each with one call outstanding. */
const CALLERS = 64;
/** Calls settled before the fault, and after it, per run. */
const CALLS_BEFORE = 3_000;
const CALLS_AFTER = 6_000;
/**
 * A dead endpoint must be ejected within this many failures: the rule is 5 in a row, twice that
 * allows for a reply already on its way resetting the count once.
 */
const MAX_FAILURES_BEFORE_EJECTION = 10;
/**
 * Load over the two healthy instances after a fault, in the steady window below: the largest
 * distance of either from their mean. Issue 16 §3 asks for ±20 %.
 *
 * Two things outside the balancer decide this figure on a small shared machine, and the fixtures
 * remove both: the instances run on one CPU (`instanceCpu`: placed by the scheduler, one answered a
 * fifth as many calls per second as the other for seconds at a time), and keep no map per call
 * (their collector's pauses grew with it). What is left is the balancer's own noise: with two
 * endpoints, power of two choices compares both on every call, so the calls outstanding on each
 * follow the ratio of their peak-EWMA round trips, and one peak (a pause of tens of ms, against a
 * round trip of 1–2 ms) moves calls off its endpoint until it decays (τ = 1 s). Over one second the
 * split was off by up to 39 %; over the 4 s window by at most 10 %, median about 1 % (36 runs of
 * the four tests below; docs/performance.md has the figures before the fixtures changed).
 */
const MAX_SPREAD = 0.2;
/**
 * The steady window starts this long after the faulty instance left rotation: one peak-EWMA τ, by
 * which the fault's own disturbance (its calls failing over, the peaks they left) has decayed.
 */
const SETTLE_MS = 1_000;
/**
 * And lasts this long: several τ, so that peaks on either endpoint average out. It is a measuring
 * time, not a wait for an event: the balancer forgets in time, not in calls.
 */
const STEADY_MS = 4_000;
/** At least this many calls in the window, however slow the machine. */
const MIN_STEADY_CALLS = 2_000;
/** The CPU all instance processes share, where it can be pinned. */
const CPU = instanceCpu();
/** Waits bound a hang; they are not timing assertions. */
const PATIENCE_MS = 30_000;

const open = new Resources();
afterEach(() => open.closeAll());

/** An ejection as the client logged it, with the endpoint's stats at that moment. */
interface Ejection {
  readonly endpoint: string;
  readonly why: string;
  readonly atMs: number;
  readonly stats: EndpointStats | undefined;
}

/** A pino logger for the client that notes each ejection as it happens (pino writes synchronously here). */
function watchEjections(stats: () => ClientStats | undefined): { logger: pino.Logger; ejections: Ejection[] } {
  const ejections: Ejection[] = [];
  const logger = pino(
    { level: 'info', base: undefined },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { msg: string; endpoint?: string; why?: string };
        if (entry.msg !== 'endpoint ejected' || entry.endpoint === undefined) return;
        const endpoint = entry.endpoint;
        ejections.push({
          endpoint,
          why: entry.why ?? '',
          atMs: performance.now(),
          stats: stats()?.endpoints?.find((e) => e.url === endpoint),
        });
      },
    },
  );
  return { logger, ejections };
}

async function startInstances(hosts: readonly string[], port: number, graceMs = 10_000): Promise<InstanceProcess[]> {
  return Promise.all(hosts.map(async (host) => open.track(await InstanceProcess.start({ host, port, graceMs }, CPU))));
}

async function startDns(records: Parameters<typeof startDnsmasq>[0]): Promise<Dnsmasq> {
  return open.track(await startDnsmasq(records));
}

interface Harness {
  readonly client: VolleyClient<TestRouter>;
  readonly load: CallLoad;
  readonly ejections: Ejection[];
  endpoint(url: string): EndpointStats | undefined;
}

/** One client on `target` with a load of 64 callers, started once `ready` endpoints are ready. */
async function startLoad(target: string, dns: Dnsmasq, ready: number, seed: number): Promise<Harness> {
  let client: VolleyClient<TestRouter> | undefined;
  const { logger, ejections } = watchEjections(() => client?.stats);
  client = open.track(
    createClient<TestRouter>(target, {
      dns: { servers: [dns.server], minTtlMs: 50 },
      procedures,
      timeoutMs: 10_000,
      logger,
      balancing: { random: createSeededRandom(seed) },
    }),
  );
  const live = client;
  await waitFor(() => (live.stats.endpoints ?? []).filter((e) => e.state === 'ready').length === ready, {
    what: `${ready} endpoints ready`,
    timeoutMs: PATIENCE_MS,
  });
  const load = new CallLoad(live, { callers: CALLERS, random: createSeededRandom(seed + 1) });
  open.track({ close: () => load.stop() });
  load.start();
  return {
    client: live,
    load,
    ejections,
    endpoint: (url) => live.stats.endpoints?.find((e) => e.url === url),
  };
}

function settledAtLeast(load: CallLoad, count: number): Promise<void> {
  return waitFor(() => load.settled >= count, { what: `${count} calls settled`, timeoutMs: PATIENCE_MS });
}

/** Sums, for each call below `to`, its runs over `instances`; returns the `probe.bump` calls run more than once. */
function runTwice(load: CallLoad, instances: readonly InstanceProcess[], to: number): number[] {
  const twice: number[] = [];
  for (let n = 0; n < to; n++) {
    if (load.kindOf(n) !== 'bump') continue;
    let runs = 0;
    for (const instance of instances) runs += instance.runsOf(n);
    if (runs > 1) twice.push(n);
  }
  return twice;
}

/** How many of the calls from `from` to `to` ran at least once on one of `instances` (an idempotent one may run again, retransmitted). */
function callsRun(instances: readonly InstanceProcess[], from: number, to: number): number {
  let count = 0;
  for (let n = from; n < to; n++) if (instances.some((instance) => instance.runsOf(n) > 0)) count++;
  return count;
}

/**
 * Waits until the instances' reports (a stdout line per execution, read asynchronously) account for
 * every call that succeeded: a reply can reach the client before the test reads the line that its
 * execution wrote first. Counting before that would miss executions, so a double run could hide.
 */
async function reportsCaughtUp(load: CallLoad, instances: readonly InstanceProcess[], end: number): Promise<void> {
  const failed = new Set(load.failed.map((failure) => failure.n));
  const unreported = () => {
    for (let n = 0; n < end; n++) if (!failed.has(n) && !instances.some((i) => i.runsOf(n) > 0)) return true;
    return false;
  };
  await waitFor(() => !unreported(), { what: 'every execution reported', timeoutMs: PATIENCE_MS });
}

/**
 * Waits out the steady window that starts {@link SETTLE_MS} after `quietAt` (the faulty instance
 * out of rotation) and lasts {@link STEADY_MS}, with at least {@link MIN_STEADY_CALLS} calls in it;
 * returns its calls, `from` (inclusive) to `to` (exclusive).
 */
async function steadyWindow(load: CallLoad, quietAt: number): Promise<{ from: number; to: number }> {
  const startAt = quietAt + SETTLE_MS;
  const endAt = startAt + STEADY_MS;
  await waitFor(() => performance.now() >= endAt && load.nextN - load.firstStartedAt(startAt) >= MIN_STEADY_CALLS, {
    what: 'the steady window',
    timeoutMs: SETTLE_MS + STEADY_MS + PATIENCE_MS,
  });
  const from = load.firstStartedAt(startAt);
  return { from, to: Math.max(load.firstStartedAt(endAt), from + MIN_STEADY_CALLS) };
}

/** Largest relative distance of any count from the counts' mean. */
function spreadOf(counts: readonly number[]): number {
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  return Math.max(...counts.map((count) => Math.abs(count - mean) / mean));
}

/** `fraction` as a percentage to one decimal, for the printed figures. */
function percent(fraction: number): number {
  return Math.round(fraction * 1000) / 10;
}

describe.skipIf(skipReason !== undefined)(
  `failover over a DNS name with real instance processes${skipReason ? ` (SKIPPED: ${skipReason})` : ''}`,
  () => {
    describe.each(['udp', 'tcp'] as const)('over %s', (transport) => {
      it('loses no idempotent call and runs no call twice when an instance is SIGKILLed mid-run, ejects it within a bounded number of failures, and spreads the load over the others', async () => {
        const port = await pickSharedPort(HOSTS);
        const dns = await startDns({ hosts: { [NAME]: HOSTS }, ttlSeconds: 1 });
        const instances = await startInstances(HOSTS, port);
        const { client, load, ejections, endpoint } = await startLoad(`${transport}://${NAME}:${port}`, dns, 3, 16);
        const [victim, ...healthy] = instances as [InstanceProcess, ...InstanceProcess[]];
        const victimUrl = `${transport}://${victim.host}:${port}`;

        await settledAtLeast(load, CALLS_BEFORE);
        const killedAt = performance.now();
        const nAtKill = load.nextN;
        const settledAtKill = load.settled;
        victim.signal('SIGKILL');
        await victim.exited;
        await waitFor(() => endpoint(victimUrl)?.state === 'ejected', {
          what: 'the dead endpoint ejected',
          timeoutMs: PATIENCE_MS,
        });
        await settledAtLeast(load, settledAtKill + CALLS_AFTER);
        const ejection = ejections.find((e) => e.endpoint === victimUrl);
        const steady = await steadyWindow(load, ejection?.atMs ?? killedAt);
        await load.stop();
        const nAtEnd = load.nextN;
        await reportsCaughtUp(load, instances, nAtEnd);

        const afterKill = healthy.map((instance) => instance.runsBetween(nAtKill, nAtEnd));
        const inSteady = healthy.map((instance) => instance.runsBetween(steady.from, steady.to));
        const figures = {
          transport,
          calls: nAtEnd,
          failedPeek: load.failuresByKind('peek'),
          failedBump: load.failuresByKind('bump'),
          failuresBeforeEjection: ejection?.stats?.failures,
          ejectedWhy: ejection?.why,
          killToEjectionMs: ejection && Math.round(ejection.atMs - killedAt),
          victimFailuresTotal: endpoint(victimUrl)?.failures,
          loadAfterKill: afterKill,
          spread: percent(spreadOf(afterKill)),
          loadSteady: inSteady,
          spreadSteady: percent(spreadOf(inSteady)),
          pinnedToCpu: CPU,
          endpoints: client.stats.endpoints?.map((e) => [e.state, e.calls, e.failures, e.ejections, e.rttMs]),
          failovers: client.stats.failovers,
          callRetries: client.stats.callRetries,
          retriesDenied: client.stats.retriesDenied,
        };
        console.log(`failover figures (kill) ${JSON.stringify(figures)}`);

        expect(load.failuresByKind('peek')).toEqual({});
        expect(load.failedWithoutMayHaveRun('bump')).toEqual([]);
        expect(runTwice(load, instances, nAtEnd)).toEqual([]);
        expect(ejection).toBeDefined();
        expect(ejection?.stats?.failures).toBeLessThanOrEqual(MAX_FAILURES_BEFORE_EJECTION);
        expect(endpoint(victimUrl)?.state).not.toBe('ready');
        // Instances the scheduler placed apart need not have equal capacity: only reported then.
        if (CPU !== undefined) expect(spreadOf(inSteady)).toBeLessThanOrEqual(MAX_SPREAD);
      }, 120_000);

      it('fails no call of either kind when an instance drains on SIGTERM: its callers move to the others', async () => {
        const port = await pickSharedPort(HOSTS);
        const dns = await startDns({ hosts: { [NAME]: HOSTS }, ttlSeconds: 1 });
        const instances = await startInstances(HOSTS, port);
        const { client, load, ejections, endpoint } = await startLoad(`${transport}://${NAME}:${port}`, dns, 3, 26);
        const [victim, ...healthy] = instances as [InstanceProcess, ...InstanceProcess[]];
        const victimUrl = `${transport}://${victim.host}:${port}`;

        await settledAtLeast(load, CALLS_BEFORE);
        const nAtTerm = load.nextN;
        const runsBeforeTerm = victim.executions;
        victim.signal('SIGTERM');
        await waitFor(() => victim.gone, { what: 'the instance drained', timeoutMs: PATIENCE_MS });
        const drainedAt = performance.now();
        const nAtDrained = load.nextN;
        await settledAtLeast(load, load.settled + CALLS_AFTER);
        const steady = await steadyWindow(load, drainedAt);
        await load.stop();
        const nAtEnd = load.nextN;
        await reportsCaughtUp(load, instances, nAtEnd);

        const ejection = ejections.find((e) => e.endpoint === victimUrl);
        const afterDrain = healthy.map((instance) => instance.runsBetween(nAtDrained, nAtEnd));
        const inSteady = healthy.map((instance) => instance.runsBetween(steady.from, steady.to));
        const figures = {
          transport,
          calls: nAtEnd,
          failedPeek: load.failuresByKind('peek'),
          failedBump: load.failuresByKind('bump'),
          victimRunsAfterTerm: victim.executions - runsBeforeTerm,
          victimRunsOfCallsAfterDrain: victim.runsBetween(nAtDrained, nAtEnd),
          callsDuringDrain: nAtDrained - nAtTerm,
          ejectedWhy: ejection?.why,
          loadAfterDrain: afterDrain,
          spread: percent(spreadOf(afterDrain)),
          loadSteady: inSteady,
          spreadSteady: percent(spreadOf(inSteady)),
          pinnedToCpu: CPU,
          endpoints: client.stats.endpoints?.map((e) => [e.state, e.calls, e.failures, e.ejections, e.rttMs]),
          failovers: client.stats.failovers,
          callRetries: client.stats.callRetries,
        };
        console.log(`failover figures (drain) ${JSON.stringify(figures)}`);

        expect(load.failuresByKind('peek')).toEqual({});
        expect(load.failedWithoutMayHaveRun('bump')).toEqual([]);
        expect(runTwice(load, instances, nAtEnd)).toEqual([]);
        // Over TCP the drain holds until the client has closed its connection, refusing calls (as not
        // executed) meanwhile; over UDP, which has no goaway, the server keeps its socket until no
        // datagram came for DRAIN_UDP_QUIET_MS, refusing them too. Either way nothing fails.
        expect(load.failed).toEqual([]);
        expect(ejection).toBeDefined();
        expect(endpoint(victimUrl)?.state).not.toBe('ready');
        expect(victim.runsBetween(nAtDrained, nAtEnd)).toBe(0);
        if (CPU !== undefined) expect(spreadOf(inSteady)).toBeLessThanOrEqual(MAX_SPREAD);
      }, 120_000);
    });

    it('sends calls to an instance added to the records, and none to one removed from them once its calls are done', async () => {
      const hosts = [...HOSTS, ADDED_HOST];
      const port = await pickSharedPort(hosts);
      const dns = await startDns({ hosts: { [NAME]: HOSTS }, ttlSeconds: 1 });
      const [removed, first, second, added] = (await startInstances(hosts, port)) as [
        InstanceProcess,
        InstanceProcess,
        InstanceProcess,
        InstanceProcess,
      ];
      const others = [first, second];
      const { load, endpoint } = await startLoad(`udp://${NAME}:${port}`, dns, 3, 36);
      const addedUrl = `udp://${added.host}:${port}`;
      const removedUrl = `udp://${removed.host}:${port}`;

      await settledAtLeast(load, CALLS_BEFORE);
      expect(added.executions).toBe(0);
      await dns.replace({ hosts: { [NAME]: hosts }, ttlSeconds: 1 });
      await waitFor(() => endpoint(addedUrl)?.state === 'ready', {
        what: 'the added instance ready',
        timeoutMs: PATIENCE_MS,
      });
      const nAtAdded = load.nextN;
      await settledAtLeast(load, load.settled + CALLS_BEFORE);

      await dns.replace({ hosts: { [NAME]: hosts.slice(1) }, ttlSeconds: 1 });
      // Drained: gone from the client once its last call settled.
      await waitFor(() => endpoint(removedUrl) === undefined, {
        what: 'the removed instance drained',
        timeoutMs: PATIENCE_MS,
      });
      const nAtRemoved = load.nextN;
      await settledAtLeast(load, load.settled + CALLS_BEFORE);
      await load.stop();
      const nAtEnd = load.nextN;
      await reportsCaughtUp(load, [removed, first, second, added], nAtEnd);

      const figures = {
        calls: nAtEnd,
        failed: load.failed.length,
        runsWhileFour: [removed, ...others, added].map((instance) => instance.runsBetween(nAtAdded, nAtRemoved)),
        removedRunsAfterRemoved: removed.runsBetween(nAtRemoved, nAtEnd),
        runsAfterRemoved: [...others, added].map((instance) => instance.runsBetween(nAtRemoved, nAtEnd)),
      };
      console.log(`failover figures (records) ${JSON.stringify(figures)}`);

      expect(load.failed).toEqual([]);
      expect(added.runsBetween(nAtAdded, nAtRemoved)).toBeGreaterThan(0);
      expect(removed.runsBetween(nAtRemoved, nAtEnd)).toBe(0);
      expect(removed.gone).toBe(false);
    }, 120_000);

    it('sends calls by SRV weight to the preferred priority while it is healthy, and to the next priority once every preferred instance is down', async () => {
      const names = ['kv1', 'kv2', 'kv3'].map((name) => `${name}.test.internal`);
      const hosts = HOSTS;
      // Each instance on a port of its own: SRV records carry one per instance.
      const instances = await startInstances(hosts, 0);
      const [heavy, light, backup] = instances as [InstanceProcess, InstanceProcess, InstanceProcess];
      const record = (i: number, priority: number, weight: number) =>
        [names[i] as string, (instances[i] as InstanceProcess).ready.udpPort, priority, weight] as const;
      const dns = await startDns({
        hosts: Object.fromEntries(names.map((name, i) => [name, [hosts[i] as string]])),
        srv: { '_kv._udp.test.internal': [record(0, 10, 3), record(1, 10, 1), record(2, 20, 1)] },
        ttlSeconds: 1,
      });
      const { load, endpoint } = await startLoad('udp+srv://_kv._udp.test.internal', dns, 3, 46);
      const urlOf = (instance: InstanceProcess) => `udp://${instance.host}:${instance.ready.udpPort}`;

      await settledAtLeast(load, CALLS_BEFORE);
      const nAtKill = load.nextN;
      const preferred = [heavy.executions, light.executions];
      const backupWhilePreferredUp = backup.executions;
      heavy.signal('SIGKILL');
      light.signal('SIGKILL');
      await Promise.all([heavy.exited, light.exited]);
      await waitFor(() => endpoint(urlOf(heavy))?.state !== 'ready' && endpoint(urlOf(light))?.state !== 'ready', {
        what: 'both preferred endpoints out of rotation',
        timeoutMs: PATIENCE_MS,
      });
      const nAtFallback = load.nextN;
      await settledAtLeast(load, load.settled + CALLS_AFTER);
      await load.stop();
      const nAtEnd = load.nextN;
      await reportsCaughtUp(load, instances, nAtEnd);

      const failedAfter = load.failed.filter((failure) => failure.n >= nAtFallback).length;
      const backupRuns = backup.runsBetween(nAtFallback, nAtEnd);
      const figures = {
        calls: nAtEnd,
        preferredRunsByWeight3and1: preferred,
        backupRunsWhilePreferredUp: backupWhilePreferredUp,
        failedPeek: load.failuresByKind('peek'),
        failedBump: load.failuresByKind('bump'),
        callsBetweenKillAndFallback: nAtFallback - nAtKill,
        failedAfterFallback: failedAfter,
        backupRunsAfterFallback: backupRuns,
        states: [heavy, light].map((instance) => endpoint(urlOf(instance))?.state),
      };
      console.log(`failover figures (srv) ${JSON.stringify(figures)}`);

      expect(backupWhilePreferredUp).toBe(0);
      // Weight 3 against 1 divides cost, not calls (docs/deploying.md): with 64 callers on a 2-core
      // machine both instances are saturated, and then each takes what it can answer, so only the
      // sharing is asserted, not its ratio (seen under load: 1 389 against 1 728).
      expect(heavy.executions).toBeGreaterThan(0);
      expect(light.executions).toBeGreaterThan(0);
      expect(load.failuresByKind('peek')).toEqual({});
      expect(load.failedWithoutMayHaveRun('bump')).toEqual([]);
      expect(runTwice(load, instances, nAtEnd)).toEqual([]);
      // Every call after the fallback ran on the backup. Two of three down is past the ejection cap
      // (half): the second is ejected because the backup answers; held in rotation, it took most
      // calls ahead of the backup and failed them (4 170 of 6 000 before that fix).
      expect(failedAfter).toBe(0);
      expect(callsRun([backup], nAtFallback, nAtEnd)).toBe(nAtEnd - nAtFallback);
    }, 120_000);
  },
);
