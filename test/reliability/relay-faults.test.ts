import { createClient } from '@volley/client';
import { HEALTH_PROCEDURE } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callsBesidesProbes,
  createProbe,
  createSeededRandom,
  createTestRouter,
  type Probe,
  Resources,
  startTestServer,
  type TestRouter,
  waitFor,
} from '../support/index.js';
import { type FaultSettings, startUdpFaultRelay } from '../support/udp-fault-relay.js';

const open = new Resources();
afterEach(() => open.closeAll());

async function setup(seed: number, faults: { toServer?: FaultSettings; toClient?: FaultSettings }) {
  const probe = createProbe();
  const app = open.track(await startTestServer({ router: createTestRouter(probe) }));
  const relay = open.track(await startUdpFaultRelay({ serverPort: app.udpPort, seed, ...faults }));
  // No reply here is large enough to be truncated: a TCP fallback would be a bug, so it is off.
  const client = open.track(
    createClient<TestRouter>(relay.url, { tcpFallback: false, retransmit: { random: createSeededRandom(seed + 1) } }),
  );
  return { probe, app, relay, client };
}

/** Runs `task(0)` … `task(count - 1)` with at most `concurrency` running; settles like `Promise.allSettled`. */
async function runPool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i).then(
        (value) => ({ status: 'fulfilled', value }) as const,
        (reason: unknown) => ({ status: 'rejected', reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

const range = (count: number) => Array.from({ length: count }, (_, i) => i);

/** The most times any one request, or any one input `n` below `calls`, ran: 1 means exactly once. */
const maxExecutions = (probe: Probe, calls: number) =>
  Math.max(probe.report().maxExecutionsPerRequest, ...range(calls).map(probe.executionsOf));

describe('over a relay that duplicates half the datagrams both ways', () => {
  const CALLS = 100;

  it.each([
    ['bump', 'answers duplicates of a finished call from the reply cache'],
    ['bumpLater', 'drops duplicates of a call still in progress'],
  ] as const)('%s runs every non-idempotent call exactly once: the server %s', async (method, _how) => {
    const { probe, app, relay, client } = await setup(3, {
      toServer: { duplicatePercent: 50 },
      toClient: { duplicatePercent: 50 },
    });

    const results = await Promise.all(range(CALLS).map((n) => client.probe[method]({ n })));

    expect(results).toEqual(range(CALLS).map((n) => ({ n })));
    expect(range(CALLS).map(probe.executionsOf)).toEqual(range(CALLS).map(() => 1));
    expect(maxExecutions(probe, CALLS)).toBe(1);
    expect(relay.stats.toServer.duplicated).toBeGreaterThan(0);
    expect(app.server.stats.replyCacheHits + app.server.stats.duplicatesDropped).toBeGreaterThan(0);
    expect(callsBesidesProbes(app.server)).toBe(CALLS);
  });

  it('counts every reply beyond the first of a call as unmatched, and never settles a call twice', async () => {
    const { relay, client } = await setup(5, {
      toServer: { duplicatePercent: 50 },
      toClient: { duplicatePercent: 50 },
    });

    // The client learns the incarnation first, so that no incarnation probe's reply is among those
    // counted: every reply datagram settles one of these CALLS + 1 calls, or is unmatched.
    await client.call(HEALTH_PROCEDURE);
    await Promise.all(range(CALLS).map((n) => client.probe.bump({ n })));
    // Late copies may still be on their way.
    const extra = () => relay.stats.toClient.forwarded - CALLS - 1;
    await waitFor(() => client.stats.unmatchedReplies === extra(), { what: 'late reply copies to be counted' });

    expect(extra()).toBeGreaterThan(0);
    expect(client.stats.unmatchedReplies).toBe(extra());
    expect(client.stats).toMatchObject({
      calls: CALLS + 1,
      incarnationProbes: 0,
      timeouts: 0,
      forgedReplies: 0,
      malformedReplies: 0,
    });
  });
});

describe('over a relay that delays and reorders datagrams both ways', () => {
  it('resolves every call with its own result, though replies arrive late and out of order', async () => {
    const CALLS = 200;
    const faults: FaultSettings = { delayMs: [0, 15], reorderPercent: 30 };
    const { relay, client } = await setup(9, { toServer: faults, toClient: faults });
    const settledOrder: number[] = [];

    const results = await Promise.all(
      range(CALLS).map((n) =>
        client.probe.peek({ n }).then((result) => {
          settledOrder.push(n);
          return result;
        }),
      ),
    );

    expect(results).toEqual(range(CALLS).map((n) => ({ n })));
    expect(relay.stats.toClient.reordered).toBeGreaterThan(0);
    expect(relay.stats.toClient.delayed).toBeGreaterThan(0);
    expect(settledOrder).not.toEqual(range(CALLS));
    expect(client.stats).toMatchObject({ timeouts: 0, forgedReplies: 0 });
  });
});

describe('over a relay that loses 30 % of the datagrams each way', () => {
  const CALLS = 300;
  const CONCURRENCY = 32;

  // Each attempt gets through both ways with probability 0.49; within the default 10 s deadline the
  // client makes about ten, so about 0.1 % of calls may still fail (0.51^10). Long test timeout: a
  // failing call takes the whole deadline, and several waves of 32 calls run one after another.
  it('completes at least 99 % of 300 non-idempotent calls, each run at most once', { timeout: 60_000 }, async () => {
    const { probe, app, relay, client } = await setup(30, {
      toServer: { dropPercent: 30 },
      toClient: { dropPercent: 30 },
    });

    const results = await runPool(CALLS, CONCURRENCY, (n) => client.probe.bump({ n }));

    const succeeded = results.filter((result) => result.status === 'fulfilled');
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(succeeded.length).toBeGreaterThanOrEqual(CALLS * 0.99);
    for (const [n, result] of results.entries()) if (result.status === 'fulfilled') expect(result.value).toEqual({ n });
    for (const failure of failures) expect(failure).toMatchObject({ code: 'DEADLINE_EXCEEDED', notExecuted: false });
    expect(maxExecutions(probe, CALLS)).toBeLessThanOrEqual(1);
    expect(client.stats.retransmits).toBeGreaterThan(0);
    expect(relay.stats.toServer.dropped).toBeGreaterThan(0);
    expect(relay.stats.toClient.dropped).toBeGreaterThan(0);
    // A request that got through but whose reply was lost is answered again from the cache.
    expect(app.server.stats.replyCacheHits).toBeGreaterThan(0);
  });
});
