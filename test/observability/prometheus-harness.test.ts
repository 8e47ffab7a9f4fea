/**
 * The Prometheus fixture itself, against a hand-written exposition: a real Prometheus scrapes a
 * tiny HTTP server on loopback every second, and PromQL over its HTTP API sees a counter's rate
 * and a histogram's median. Skips, saying why, where prometheus is not installed; never on CI.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../support/index.js';
import { type PrometheusSample, prometheusSkipReason, startPrometheus } from '../support/prometheus.js';

const skipReason = process.env.CI ? undefined : prometheusSkipReason();
const resources = new Resources();

afterEach(() => resources.closeAll());

/** Upper bounds of the histogram's buckets, seconds. */
const BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5];
/**
 * Observed on every scrape, so every bucket grows in step: of three observations per scrape the
 * median (rank 1.5) lies in the (0.01, 0.05] bucket, halfway by linear interpolation, 0.03.
 */
const OBSERVED_S = [0.003, 0.02, 0.2];

/** Serves `harness_scrapes_total` (one more per request) and `harness_latency_seconds` as text. */
async function startExporter(): Promise<{ target: string; close(): Promise<void> }> {
  let scrapes = 0;
  const server: Server = createServer((_request, response) => {
    scrapes++;
    const lines = [
      '# HELP harness_scrapes_total Requests this exporter served.',
      '# TYPE harness_scrapes_total counter',
      `harness_scrapes_total ${scrapes}`,
      '# HELP harness_latency_seconds A made-up latency, three observations per request.',
      '# TYPE harness_latency_seconds histogram',
      ...BUCKETS_S.map(
        (le) => `harness_latency_seconds_bucket{le="${le}"} ${scrapes * OBSERVED_S.filter((s) => s <= le).length}`,
      ),
      `harness_latency_seconds_bucket{le="+Inf"} ${scrapes * OBSERVED_S.length}`,
      `harness_latency_seconds_sum ${scrapes * OBSERVED_S.reduce((a, b) => a + b, 0)}`,
      `harness_latency_seconds_count ${scrapes * OBSERVED_S.length}`,
    ];
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('exporter has no TCP address');
  return {
    target: `127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An exporter and a Prometheus scraping it every second, both closed after the test. */
async function startScrapedExporter() {
  const exporter = resources.track(await startExporter());
  return resources.track(await startPrometheus({ targets: [exporter.target], scrapeIntervalSeconds: 1 }));
}

/** The value of a one-series result, NaN for any other. */
const onlyValue = (result: PrometheusSample[]): number => (result.length === 1 ? Number(result[0]!.value[1]) : NaN);

// startPrometheus (well under 1 s) plus up to PROMETHEUS_WAIT_MS (20 s) of waiting: above vitest's 20 s.
// Each test takes about 6.5 s: Prometheus scrapes a new target only after its 5 s discovery tick.
describe.skipIf(skipReason !== undefined)(
  `Prometheus harness${skipReason ? ` (SKIPPED: ${skipReason})` : ''}`,
  { timeout: 30_000 },
  () => {
    it('sees the rate of a counter that grows on every scrape rise above 0', async () => {
      const prometheus = await startScrapedExporter();
      const result = await prometheus.waitFor('rate(harness_scrapes_total[5s])', (r) => onlyValue(r) > 0);
      expect(result).toHaveLength(1);
      expect(result[0]!.metric).toMatchObject({ job: 'test', instance: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
      expect(onlyValue(result)).toBeGreaterThan(0);
    });

    it('computes a finite median from the histogram’s bucket rates: 0.03 s', async () => {
      const prometheus = await startScrapedExporter();
      const result = await prometheus.waitFor(
        'histogram_quantile(0.5, sum by (le) (rate(harness_latency_seconds_bucket[5s])))',
        (r) => Number.isFinite(onlyValue(r)),
      );
      expect(onlyValue(result)).toBeCloseTo(0.03, 6);
    });
  },
);
