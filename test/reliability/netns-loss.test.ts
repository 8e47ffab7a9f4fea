/**
 * Issue #3 ("Dependable UDP") under real packet loss: a server and a client in two network
 * namespaces whose link drops (and duplicates) UDP datagrams at random via nftables, each
 * direction on its own. Each side is a child process (see fixtures/), because Node cannot enter
 * a namespace in-process. Skips, saying why, where namespaces are unavailable; never on CI.
 *
 * The loss is random, so the bounds are set where a correct client and server pass with
 * overwhelming probability: with 30% loss each way a round trip succeeds about half the time,
 * and a deadline of 10 s leaves room for many attempts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNetnsPair, type NetnsPair, netnsSkipReason } from '../support/netns.js';
import { type CounterServerProcess, runLoad, startCounterServer } from './fixtures/counter-processes.js';
import type { FailureCounts, LoadSummary, ServerStatsReport } from './fixtures/protocol.js';

const skipReason = await netnsSkipReason();

/** The issue's figures: 2 000 calls, at least 99% of them successful. */
const LOSSY_CALLS = 2_000;
const MIN_LOSSY_SUCCESSES = 1_980;
/** Enough calls for a steady calls/s figure, after a warm-up so neither run pays for the JIT. */
const THROUGHPUT_CALLS = 10_000;
const WARMUP_CALLS = 2_000;
const CONCURRENCY = 64;
/** A load must finish inside this (start-up included) or the test fails rather than hangs. */
const LOAD_BUDGET_MS = 100_000;
const TEST_TIMEOUT_MS = 120_000;
/** "Within a reasonable factor of lossless": a loose sanity bound, not a timing assertion. */
const MAX_SLOWDOWN_AT_1_PERCENT = 20;
/** The only failure a lossy link may cause: the deadline passed and the call may have run. */
const CLEAN_FAILURE = 'DEADLINE_EXCEEDED notExecuted=false';

/** Failures other than {@link CLEAN_FAILURE}, which must be none. */
function uncleanFailures(failures: FailureCounts): FailureCounts {
  const { [CLEAN_FAILURE]: _clean, ...others } = failures;
  return others;
}

/** One line per run with the figures the issue asks to record. */
function logFigures(label: string, summary: LoadSummary, report?: ServerStatsReport): void {
  const { successes, calls, failures, elapsedMs, callsPerSecond, latencyMs, clientStats } = summary;
  const server = report && {
    executions: report.executions,
    maxExecutionsPerRequest: report.maxExecutionsPerRequest,
    replyCacheHits: report.serverStats.replyCacheHits,
    duplicatesDropped: report.serverStats.duplicatesDropped,
  };
  console.log(
    `[netns-loss] ${label}: ${successes}/${calls} ok, failures ${JSON.stringify(failures)}, ${elapsedMs} ms, ${callsPerSecond} calls/s, ` +
      `p50 ${latencyMs.p50} ms, p99 ${latencyMs.p99} ms, retransmits ${clientStats.retransmits}, ` +
      `unmatched replies ${clientStats.unmatchedReplies}${server ? `, server ${JSON.stringify(server)}` : ''}`,
  );
}

describe.skipIf(skipReason !== undefined)(
  `UDP over a lossy link between network namespaces${skipReason ? ` (SKIPPED: ${skipReason})` : ''}`,
  () => {
    let pair: NetnsPair | undefined;
    let server: CounterServerProcess | undefined;

    beforeAll(async () => {
      pair = await createNetnsPair();
    });

    afterAll(async () => {
      await pair?.destroy();
    });

    beforeEach(async () => {
      await pair!.clear();
      server = await startCounterServer(pair!);
    }, 60_000);

    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it('runs each of 2 000 non-idempotent calls at most once under 30% loss each way and 5% duplication, 99% succeeding and the rest failing cleanly', {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      await pair!.setLoss({ dropPercent: 30, dupPercent: 5 });
      const summary = await runLoad(
        pair!,
        { url: server!.udpUrl, procedure: 'probe.bump', calls: LOSSY_CALLS, concurrency: CONCURRENCY },
        LOAD_BUDGET_MS,
      );
      const report = await server!.report();
      logFigures('30% loss + 5% dup, probe.bump (non-idempotent)', summary, report);

      expect(report.maxExecutionsPerRequest).toBeLessThanOrEqual(1);
      // Every success ran somewhere, so the bound above is not met by counting nothing.
      expect(report.requests).toBeGreaterThanOrEqual(summary.successes);
      expect(summary.wrongResults).toBe(0);
      expect(summary.successes).toBeGreaterThanOrEqual(MIN_LOSSY_SUCCESSES);
      expect(uncleanFailures(summary.failures)).toEqual({});
    });

    it('lets 99% of 2 000 idempotent calls succeed under 30% loss each way and 5% duplication, the rest failing cleanly', {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      await pair!.setLoss({ dropPercent: 30, dupPercent: 5 });
      const summary = await runLoad(
        pair!,
        { url: server!.udpUrl, procedure: 'probe.peek', calls: LOSSY_CALLS, concurrency: CONCURRENCY },
        LOAD_BUDGET_MS,
      );
      // Idempotent calls may run again on a duplicate (they bypass the reply cache): no execution bound here.
      logFigures('30% loss + 5% dup, probe.peek (idempotent)', summary, await server!.report());

      expect(summary.wrongResults).toBe(0);
      expect(summary.successes).toBeGreaterThanOrEqual(MIN_LOSSY_SUCCESSES);
      expect(uncleanFailures(summary.failures)).toEqual({});
    });

    it('keeps throughput under 1% loss each way within a loose factor of lossless, every call succeeding', {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      const load = {
        url: server!.udpUrl,
        procedure: 'probe.peek',
        calls: THROUGHPUT_CALLS,
        concurrency: CONCURRENCY,
        warmupCalls: WARMUP_CALLS,
      } as const;
      const lossless = await runLoad(pair!, load, LOAD_BUDGET_MS);
      await pair!.setLoss({ dropPercent: 1 });
      const lossy = await runLoad(pair!, load, LOAD_BUDGET_MS);
      logFigures('lossless, probe.peek', lossless);
      logFigures('1% loss, probe.peek', lossy);
      const ratio = lossless.callsPerSecond / Math.max(1, lossy.callsPerSecond);
      console.log(
        `[netns-loss] throughput lossless ${lossless.callsPerSecond} calls/s, 1% loss ${lossy.callsPerSecond} calls/s (x${ratio.toFixed(2)} slower)`,
      );

      expect(lossless.successes).toBe(THROUGHPUT_CALLS);
      expect(lossy.successes).toBe(THROUGHPUT_CALLS);
      expect(lossy.callsPerSecond * MAX_SLOWDOWN_AT_1_PERCENT).toBeGreaterThanOrEqual(lossless.callsPerSecond);
    });
  },
);
