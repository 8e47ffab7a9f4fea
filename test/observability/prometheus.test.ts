/**
 * Issue 17 §2 end to end: `volley serve --metrics` scraped by a real Prometheus every second,
 * while clients call it over UDP and TCP (some calls failing with a code), answers the PromQL a
 * Grafana dashboard would ask: calls per second by procedure and transport, a p99 latency from
 * the histogram's buckets, an error ratio by code; and every query docs/observability.md gives
 * runs. Skips, saying why, where prometheus is not installed; never on CI.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient, type VolleyClient } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { afterEach, describe, expect, it } from 'vitest';
import { type Serving, startServing } from '../cli/serving.js';
import { Resources } from '../support/index.js';
import { type PrometheusSample, prometheusSkipReason, startPrometheus } from '../support/prometheus.js';

const APP_ROUTER = fileURLToPath(new URL('../../services/app/src/app-router.ts', import.meta.url));
const OBSERVABILITY_DOC = fileURLToPath(new URL('../../docs/observability.md', import.meta.url));
const skipReason = process.env.CI ? undefined : prometheusSkipReason();

const resources = new Resources();
afterEach(() => resources.closeAll());

/** `volley serve --metrics 127.0.0.1:0` on loopback, killed after the test. */
async function serveWithMetrics(): Promise<Serving & { metricsTarget: string }> {
  const serving = await startServing([APP_ROUTER, '--port', '0', '--metrics', '127.0.0.1:0']);
  resources.track({ close: () => serving.kill() });
  if (serving.metricsUrl === undefined) throw new Error('volley serve logged no metrics URL');
  return { ...serving, metricsTarget: new URL(serving.metricsUrl).host };
}

/**
 * Keeps calling until closed, a call at a time per client: `echo.add` over UDP and TCP, and one
 * `echo.fail` (NOT_FOUND) in five over UDP. A rate needs the counters to move between two
 * scrapes, so the load runs for as long as the queries wait.
 */
function driveLoad(udp: VolleyClient<AppRouter>, tcp: VolleyClient<AppRouter>): void {
  let running = true;
  const loop = async (client: VolleyClient<AppRouter>, failEvery: number) => {
    for (let i = 0; running; i++) {
      if (failEvery > 0 && i % failEvery === 0)
        await client.echo.fail({ code: 'NOT_FOUND', message: 'no such thing' }).catch(() => {});
      else await client.echo.add({ a: i, b: 1 });
      // Leave the event loop to the clients' sockets and the test's queries now and then.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const loops = [loop(udp, 5), loop(tcp, 0)];
  resources.track({
    close: async () => {
      running = false;
      await Promise.all(loops);
    },
  });
}

function numberOf(sample: PrometheusSample | undefined): number {
  return sample === undefined ? Number.NaN : Number(sample.value[1]);
}

/** The ```promql blocks of docs/observability.md, one query per block. */
function documentedQueries(): string[] {
  const doc = readFileSync(OBSERVABILITY_DOC, 'utf8');
  return [...doc.matchAll(/```promql\n([\s\S]*?)```/g)].map((match) => (match[1] ?? '').trim());
}

describe.skipIf(skipReason !== undefined)(
  `volley serve --metrics scraped by Prometheus${skipReason ? ` (SKIPPED: ${skipReason})` : ''}`,
  () => {
    it('answers calls per second by procedure, p99 latency and the error ratio by code', async () => {
      const served = await serveWithMetrics();
      const prometheus = resources.track(await startPrometheus({ targets: [served.metricsTarget] }));
      const udp = resources.track(createClient<AppRouter>(`udp://127.0.0.1:${served.udpPort}`));
      const tcp = resources.track(createClient<AppRouter>(`tcp://127.0.0.1:${served.tcpPort}`));
      driveLoad(udp, tcp);

      const rates = await prometheus.waitFor(
        'sum by (rpc_method, network_transport) (rate(rpc_server_duration_count{rpc_service="echo"}[5s]))',
        (result) => result.filter((sample) => numberOf(sample) > 0).length === 3,
      );
      expect(rates.map((sample) => `${sample.metric.rpc_method}/${sample.metric.network_transport}`).sort()).toEqual([
        'add/tcp',
        'add/udp',
        'fail/udp',
      ]);

      const [p99] = await prometheus.query(
        'histogram_quantile(0.99, sum by (le) (rate(rpc_server_duration_bucket{rpc_method="add"}[5s])))',
      );
      // Milliseconds: a loopback call's server time is microseconds, and a GC pause is not seconds.
      expect(numberOf(p99)).toBeGreaterThan(0);
      expect(numberOf(p99)).toBeLessThan(1_000);

      const byCode = await prometheus.query(
        'sum by (rpc_volley_code) (rate(volley_server_calls_total{rpc_service="echo", network_transport="udp"}[5s]))' +
          ' / ignoring (rpc_volley_code) group_left' +
          ' sum(rate(volley_server_calls_total{rpc_service="echo", network_transport="udp"}[5s]))',
      );
      const ratio = (code: string) => numberOf(byCode.find((sample) => sample.metric.rpc_volley_code === code));
      // One UDP call in five fails: the ratio is that, within what a few seconds' sampling allows.
      expect(ratio('NOT_FOUND')).toBeGreaterThan(0.1);
      expect(ratio('NOT_FOUND')).toBeLessThan(0.3);
      expect(ratio('OK') + ratio('NOT_FOUND')).toBeCloseTo(1, 5);
    }, 60_000);

    it('runs every PromQL query docs/observability.md gives, each a vector with data', async () => {
      const queries = documentedQueries();
      expect(queries.length).toBeGreaterThanOrEqual(5);
      const served = await serveWithMetrics();
      const prometheus = resources.track(await startPrometheus({ targets: [served.metricsTarget] }));
      const udp = resources.track(createClient<AppRouter>(`udp://127.0.0.1:${served.udpPort}`));
      const tcp = resources.track(createClient<AppRouter>(`tcp://127.0.0.1:${served.tcpPort}`));
      driveLoad(udp, tcp);

      for (const query of queries) {
        const result = await prometheus.waitFor(query, (samples) => samples.length > 0);
        expect(result.length, query).toBeGreaterThan(0);
      }
    }, 90_000);
  },
);
