/**
 * At most once across a restart (issue 13 item 6; docs/protocol.md §5.7): a server process is
 * SIGKILLed while non-idempotent UDP calls it has run are still being retransmitted (their
 * replies lost), and a new process takes its port at once. The retransmissions carry the old
 * incarnation, so the new process refuses them ("may have executed") instead of running them a
 * second time. Before incarnations, 16 of 16 such calls ran twice. The same holds for a new
 * client's very first calls, sent before it knew any incarnation: they adopt the one their
 * client's incarnation probe (`$health`, sent just before them) brought back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@volley/client';
import type { ServerStats } from '@volley/server';
import { HEALTH_PROCEDURE, KIND } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { createSeededRandom, decodeEnvelope, Resources, waitFor } from '../support/index.js';
import { startUdpFaultRelay } from '../support/udp-fault-relay.js';
import { listenLedger as listen, readExecutions, STARTUP_MS, startLedger } from './fixtures/ledger-processes.js';
import type { LedgerRouter } from './fixtures/ledger-server.js';

/** Calls in flight when the server is killed: the 16. */
const CALLS = 16;

const open = new Resources();
afterEach(() => open.closeAll());

describe('non-idempotent UDP calls in flight when the server is killed and restarted on its port', () => {
  it('run at most once across both processes under 30% loss, and every one that failed says it may have executed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'volley-restart-'));
    open.track({ close: () => rmSync(dir, { recursive: true, force: true }) });
    const file = join(dir, 'executions.log');
    // The replacement is loaded ahead, so it binds the port the moment the first one is gone.
    const [first, replacement] = await Promise.all([startLedger(open, file), startLedger(open, file)]);
    const before = await listen(first, 0);
    const relay = open.track(
      await startUdpFaultRelay({
        serverPort: before.port,
        seed: 13,
        toServer: { dropPercent: 30 },
        toClient: { dropPercent: 30 },
      }),
    );
    const client = open.track(
      createClient<LedgerRouter>(relay.url, {
        tcpFallback: false,
        timeoutMs: 20_000,
        retransmit: { random: createSeededRandom(14) },
      }),
    );

    // The client learns the first incarnation from a reply.
    await client.ledger.debit({ n: 0 });
    // Every reply is lost from now until the kill: the calls run, and their retransmissions
    // (answered from the reply cache, into the void) keep coming.
    relay.configure('toClient', { dropPercent: 100 });
    const outcomes = Array.from({ length: CALLS }, (_, i) =>
      client.ledger.debit({ n: i + 1 }).then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error: error as { code: string; notExecuted: boolean } }),
      ),
    );
    await waitFor(() => readExecutions(file).size === CALLS + 1, {
      what: 'every call to run in the first process',
      timeoutMs: 15_000,
    });
    await first.kill('SIGKILL');
    relay.configure('toClient', { dropPercent: 30 });
    const after = await listen(replacement, before.port);
    const settled = await Promise.all(outcomes);
    // Calls first sent to the new process, under the same loss, each run once there.
    const fresh = await Promise.all(Array.from({ length: CALLS }, (_, i) => client.ledger.debit({ n: 100 + i })));
    replacement.send('stats');
    const stats = await replacement.next<ServerStats>('ledger server stats', STARTUP_MS);

    const runs = readExecutions(file);
    expect(after.port).toBe(before.port);
    expect(after.incarnation).not.toBe(before.incarnation);
    expect([...runs.values()].filter((incarnations) => incarnations.length > 1)).toEqual([]);
    expect([...runs.values()].filter(([incarnation]) => incarnation === before.incarnation)).toHaveLength(CALLS + 1);
    expect([...runs.values()].filter(([incarnation]) => incarnation === after.incarnation)).toHaveLength(CALLS);
    expect(fresh.map((result) => result.n)).toEqual(Array.from({ length: CALLS }, (_, i) => 100 + i));
    // Every call in flight at the kill had run, and none got its reply: each fails, may have executed.
    expect(settled.filter((outcome) => outcome.ok || outcome.error.notExecuted !== false)).toEqual([]);
    const refused = settled.filter((outcome) => !outcome.ok && outcome.error.code === 'UNAVAILABLE').length;
    expect(refused).toBeGreaterThan(0);
    expect(client.stats.incarnationRefusals).toBe(refused);
    expect(stats.incarnationRefused).toBeGreaterThanOrEqual(refused);
    expect(relay.stats.toServer.dropped).toBeGreaterThan(0);
  }, 60_000);

  it("run at most once when they are the client's first calls, sent before it knew any incarnation", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'volley-restart-first-'));
    open.track({ close: () => rmSync(dir, { recursive: true, force: true }) });
    const file = join(dir, 'executions.log');
    const [first, replacement] = await Promise.all([startLedger(open, file), startLedger(open, file)]);
    const before = await listen(first, 0);
    // Every reply is lost but the probe's: the calls run, and only the probe tells the client anything.
    const probes = new Set<number>();
    const echoed = new Map<number, number | undefined>();
    const relay = open.track(
      await startUdpFaultRelay({
        serverPort: before.port,
        seed: 15,
        toClient: { dropPercent: 100 },
        onDatagram: (direction, bytes, from) => {
          const envelope = decodeEnvelope(bytes);
          if (envelope.kind === KIND.request && envelope.method === HEALTH_PROCEDURE) probes.add(envelope.id);
          else if (envelope.kind === KIND.request && (envelope.meta?.attempt ?? 1) > 1)
            echoed.set(envelope.id, envelope.meta?.incarnation);
          if (direction === 'toClient' && envelope.kind === KIND.response && probes.has(envelope.id ?? -1))
            void relay.injectToClient(bytes, from);
        },
      }),
    );
    const client = open.track(
      createClient<LedgerRouter>(relay.url, {
        tcpFallback: false,
        timeoutMs: 20_000,
        retransmit: { random: createSeededRandom(16) },
      }),
    );

    const outcomes = Array.from({ length: CALLS }, (_, i) =>
      client.ledger.debit({ n: i }).then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error: error as { code: string; notExecuted: boolean } }),
      ),
    );
    await waitFor(() => readExecutions(file).size === CALLS && echoed.size === CALLS, {
      what: 'every call to run in the first process and be retransmitted',
      timeoutMs: 15_000,
    });
    await first.kill('SIGKILL');
    relay.configure('toClient', {});
    const after = await listen(replacement, before.port);
    const settled = await Promise.all(outcomes);

    const runs = readExecutions(file);
    expect(after.port).toBe(before.port);
    expect([...runs.values()].filter((incarnations) => incarnations.length > 1)).toEqual([]);
    expect(runs.size).toBe(CALLS);
    expect(client.stats.incarnationProbes).toBe(1);
    // Each call's retransmissions carried the incarnation its probe revealed, so the new process refused them.
    expect([...echoed.values()]).toEqual(Array.from({ length: CALLS }, () => before.incarnation));
    expect(settled).toEqual(
      Array.from({ length: CALLS }, () => ({
        ok: false,
        error: expect.objectContaining({ code: 'UNAVAILABLE', notExecuted: false }),
      })),
    );
    expect(client.stats.incarnationRefusals).toBe(CALLS);
  }, 60_000);
});
