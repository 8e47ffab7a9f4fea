/**
 * serveCluster (issue 16, part 2): one router on two worker processes behind one port, UDP and
 * TCP. The cluster is a child process (test/cluster/fixtures/cluster-server.ts); clients run
 * here. UDP is served by every worker where dgram has reusePort (Node 22.12+), by worker 1 only
 * on older Node: each test states which it checks.
 */
import { createClient } from '@volley/client';
import { canReuseUdpPort } from '@volley/transport';
import { HEALTH_PROCEDURE, type HealthReport } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../support/index.js';
import { allGone, type ClusterProcess, pollAsync, startCluster } from './fixtures/cluster-process.js';
import type { ClusterFixtureRouter } from './fixtures/cluster-server.js';
import type { WhoAnswered } from './fixtures/protocol.js';

const open = new Resources();
afterEach(() => open.closeAll());

const SHARES_UDP = await canReuseUdpPort('127.0.0.1');
/** Client sockets per transport: with two workers, all 16 hashing to one has odds 2^-15. */
const CLIENTS = 16;

async function cluster(workers = 2): Promise<ClusterProcess> {
  return open.track(await startCluster({ workers, host: '127.0.0.1' }));
}

/** One `who` call from each of `count` new clients (each its own socket or connection). */
async function whoFromManyClients(url: string, count = CLIENTS): Promise<WhoAnswered[]> {
  return Promise.all(
    Array.from({ length: count }, () => {
      const client = open.track(createClient<ClusterFixtureRouter>(url, { tcpFallback: false, timeoutMs: 10_000 }));
      return client.who();
    }),
  );
}

describe('a cluster of two workers on one port', () => {
  it('answers TCP calls from both workers, each with its own incarnation, and $health says which of two', async () => {
    const served = await cluster();
    expect(served.count).toBe(2);
    expect(served.udpPort).toBe(served.port);

    const answers = await whoFromManyClients(`tcp://127.0.0.1:${served.port}`);
    const workers = await served.workers();
    expect(new Set(answers.map((answer) => answer.worker))).toEqual(new Set([1, 2]));
    for (const answer of answers)
      expect(workers.find((worker) => worker.id === answer.worker)).toMatchObject({
        pid: answer.pid,
        incarnation: answer.incarnation,
      });
    expect(new Set(workers.map((worker) => worker.incarnation)).size).toBe(2);

    const client = open.track(createClient(`tcp://127.0.0.1:${served.port}`));
    const health = (await client.call(HEALTH_PROCEDURE, undefined)) as HealthReport;
    expect(health.worker).toMatchObject({ count: 2 });
    expect(workers.find((worker) => worker.id === health.worker?.id)?.pid).toBe(health.worker?.pid);
  });

  it.runIf(SHARES_UDP)('answers UDP calls on the same port from both workers (SO_REUSEPORT)', async () => {
    const served = await cluster();
    expect(served.udp).toBe('every-worker');
    const answers = await whoFromManyClients(`udp://127.0.0.1:${served.port}`);
    expect(new Set(answers.map((answer) => answer.worker))).toEqual(new Set([1, 2]));
    expect(new Set(answers.map((answer) => answer.incarnation)).size).toBe(2);
  });

  it.runIf(!SHARES_UDP)(
    'answers every UDP call from worker 1 where dgram has no reusePort (Node < 22.12)',
    async () => {
      const served = await cluster();
      expect(served.udp).toBe('one-worker');
      expect((await served.workers()).map((worker) => worker.udp)).toEqual([true, false]);
      const answers = await whoFromManyClients(`udp://127.0.0.1:${served.port}`);
      expect(new Set(answers.map((answer) => answer.worker))).toEqual(new Set([1]));
    },
  );

  it('replaces a worker killed with SIGKILL: same id, new process, new incarnation, serving UDP and TCP', async () => {
    const served = await cluster();
    // Where only worker 1 serves UDP, killing it shows its replacement taking UDP over.
    const victim = (await served.workers()).find((worker) => worker.id === (SHARES_UDP ? 2 : 1));
    if (victim === undefined) throw new Error('no worker to kill');
    process.kill(victim.pid, 'SIGKILL');
    const replacement = await served.replaced(victim.id, victim.pid);

    expect(replacement.incarnation).not.toBe(victim.incarnation);
    expect(replacement.udp).toBe(victim.udp);
    expect(await served.stats()).toEqual({ workerExits: 1, restarts: 1 });
    const tcp = await whoFromManyClients(`tcp://127.0.0.1:${served.port}`);
    const udp = await whoFromManyClients(`udp://127.0.0.1:${served.port}`);
    const fromReplacement = [...tcp, ...udp].filter((answer) => answer.pid === replacement.pid);
    expect(fromReplacement.length).toBeGreaterThan(0);
    expect(fromReplacement.every((answer) => answer.incarnation === replacement.incarnation)).toBe(true);
    expect([...tcp, ...udp].some((answer) => answer.pid === victim.pid)).toBe(false);
  });

  it('stops its workers when the primary is killed: they notice the IPC channel close, drain and exit', async () => {
    const served = await cluster();
    const pids = (await served.workers()).map((worker) => worker.pid);
    // One TCP connection reaches one worker: the slow call and the health checks share it.
    const client = open.track(createClient<ClusterFixtureRouter>(`tcp://127.0.0.1:${served.port}`));
    const slow = client.ledger.debit({ id: 'slow', waitMs: 1_000 });
    await pollAsync(
      async () => ((await client.call(HEALTH_PROCEDURE, undefined)) as HealthReport).inFlight > 0,
      'the slow call to be running',
    );
    await served.child.kill('SIGKILL');
    // Drained, not dropped: the call in flight when the primary died still gets its reply.
    expect((await slow).pid).toBeOneOf(pids);
    await allGone(pids);
  });
});
