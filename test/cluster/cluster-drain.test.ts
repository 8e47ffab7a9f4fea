/**
 * SIGTERM to a cluster's primary under continuous load (issue 16, part 2): every worker drains
 * and the primary exits 0, with zero lost calls. Lost means a call whose work was done while its
 * caller was not told so, or a call that never settled: so every call that ran (recorded on
 * disk by the handler, before it answers) must have succeeded at its client, each exactly once,
 * and every failure must be one that did not run. Clients keep calling until the primary is gone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@volley/client';
import { isRpcError } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { Resources, waitFor } from '../support/index.js';
import { startCluster } from './fixtures/cluster-process.js';
import type { ClusterFixtureRouter } from './fixtures/cluster-server.js';

const open = new Resources();
afterEach(() => open.closeAll());

/**
 * Clients per transport, each its own socket or connection with one call at a time. One call per
 * UDP socket, because Linux reports a socket's pending ICMP port-unreachable before the datagrams
 * already queued on it: a call sent to the port after the last worker closed it would fail its
 * sibling calls whose replies had arrived (the client reads the ICMP first and fails every call
 * waiting on the socket as "may have run"). That is a client matter, outside this test.
 */
const CLIENTS = 8;
/** Handler time: long enough that calls are running when the drain starts. */
const CALL_MS = 20;

/** Call ids the handler ran, in order. */
function executions(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split(' ')[0] as string);
  } catch {
    return [];
  }
}

describe('SIGTERM to the primary of a two-worker cluster under load over UDP and TCP', () => {
  it('drains every worker, exits 0, and loses no call', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'volley-cluster-drain-'));
    open.track({ close: () => rmSync(dir, { recursive: true, force: true }) });
    const file = join(dir, 'executions.log');
    const served = open.track(await startCluster({ workers: 2, host: '127.0.0.1', file, graceMs: 5_000 }));

    const succeeded: string[] = [];
    const failed: Array<{ id: string; code: string; notExecuted: boolean | undefined }> = [];
    let running = true;
    const lane = async (
      client: { ledger: { debit(input: { id: string; waitMs: number }): Promise<unknown> } },
      name: string,
    ) => {
      for (let i = 0; running; i++) {
        const id = `${name}-${i}`;
        try {
          await client.ledger.debit({ id, waitMs: CALL_MS });
          succeeded.push(id);
        } catch (error) {
          if (!isRpcError(error)) throw error;
          failed.push({ id, code: error.code, notExecuted: error.notExecuted });
        }
      }
    };
    const lanes: Promise<void>[] = [];
    for (const transport of ['udp', 'tcp'] as const)
      for (let c = 0; c < CLIENTS; c++) {
        const client = open.track(
          createClient<ClusterFixtureRouter>(`${transport}://127.0.0.1:${served.port}`, {
            tcpFallback: false,
            timeoutMs: 10_000,
          }),
        );
        lanes.push(lane(client, `${transport}${c}`));
      }
    await waitFor(() => succeeded.length >= 200, { what: '200 calls served', timeoutMs: 20_000 });

    const okBeforeSignal = succeeded.length;
    await served.child.kill('SIGTERM');
    running = false;
    await Promise.all(lanes);

    expect(await served.child.exited).toBe('exit 0');
    const ran = executions(file);
    // Nothing ran twice, nothing ran without its caller getting the result, nothing succeeded unrun.
    expect(ran.length).toBe(new Set(ran).size);
    expect([...ran].sort()).toEqual([...succeeded].sort());
    // Failures are refusals of calls that did not run: draining workers, then a closed port.
    expect(failed.filter((failure) => ran.includes(failure.id))).toEqual([]);
    expect(failed.filter((failure) => failure.code !== 'UNAVAILABLE')).toEqual([]);
    // The load was real on both sides of the signal.
    expect(okBeforeSignal).toBeGreaterThanOrEqual(200);
    expect(succeeded.length).toBeGreaterThan(okBeforeSignal);
  });
});
