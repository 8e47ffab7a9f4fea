/**
 * A real Prometheus for observability tests: Debian's prometheus, on 127.0.0.1 and a free port,
 * with its own config and TSDB in a temporary folder, scraping only the loopback targets a test
 * gives it every second (rules evaluated every second too). Tests ask it PromQL over its HTTP API
 * as a dashboard would. `.ci/run` installs `prometheus`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from './wait-for.js';

/** Debian installs it in /usr/bin; elsewhere, whatever is on PATH. */
const PROMETHEUS = existsSync('/usr/bin/prometheus') ? '/usr/bin/prometheus' : 'prometheus';

/**
 * Default patience of {@link Prometheus.waitFor}. Prometheus 2.42 hands discovered targets, static
 * ones too, to its scrape manager on a fixed 5 s tick (no flag sets it), so a target's first scrape
 * comes 5–6 s after start (measured); a `rate()` then needs a second scrape inside its window:
 * about 6.5 s on an idle machine. A loaded CI machine gets three times that.
 */
export const PROMETHEUS_WAIT_MS = 20_000;

/** Pause between two queries of {@link Prometheus.waitFor}: a new sample arrives once a scrape interval at most. */
const QUERY_POLL_MS = 100;

/** Patience for `/-/ready` after the process started: it is ready in well under a second on an idle machine. */
const READY_WAIT_MS = 10_000;

/** Patience for one `/-/ready` probe; Prometheus answers it in milliseconds. */
const READY_PROBE_MS = 1_000;

/** Patience for one query: a hung Prometheus fails the query rather than the test's timeout. */
const QUERY_TIMEOUT_MS = 5_000;

/** Options for {@link startPrometheus}. */
export interface PrometheusOptions {
  /** `host:port` of each target to scrape; loopback only (127.x.x.x, `localhost` or `[::1]`). */
  readonly targets: readonly string[];
  /** Scrape (and rule evaluation) interval, seconds (default 1). */
  readonly scrapeIntervalSeconds?: number;
  /** Path scraped on each target (default `/metrics`). */
  readonly metricsPath?: string;
}

/** One series of an instant vector, as the HTTP API returns it. */
export interface PrometheusSample {
  readonly metric: Readonly<Record<string, string>>;
  /** `[unix seconds, value]`; the value is a string (`"NaN"` and `"+Inf"` included), as in the API. */
  readonly value: readonly [number, string];
}

/** A running Prometheus. */
export interface Prometheus {
  /** `http://127.0.0.1:<port>`, its web UI and HTTP API. */
  readonly url: string;
  /** Evaluates `promql` now (`GET /api/v1/query`); rejects unless the result is an instant vector. */
  query(promql: string): Promise<PrometheusSample[]>;
  /**
   * Queries `promql` until `predicate` holds for the result (a query every {@link QUERY_POLL_MS}),
   * and resolves with that result; rejects with the last result after `timeoutMs`
   * (default {@link PROMETHEUS_WAIT_MS}), or at once when a query fails.
   */
  waitFor(
    promql: string,
    predicate: (result: PrometheusSample[]) => boolean,
    timeoutMs?: number,
  ): Promise<PrometheusSample[]>;
  /** Stops the process and deletes its config and data. */
  close(): Promise<void>;
}

/** Why Prometheus cannot run here, or undefined when it can. */
export function prometheusSkipReason(): string | undefined {
  try {
    execFileSync(PROMETHEUS, ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'prometheus is not installed (Debian: prometheus)';
  }
}

export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  for (const target of options.targets) {
    if (!isLoopbackTarget(target)) throw new Error(`Prometheus target ${target} is not host:port on loopback`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'volley-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, configOf(options));
  try {
    // The port is free when chosen, but a parallel test may bind it before Prometheus does (as
    // with dnsmasq on CI): try another port.
    for (let attempt = 1; ; attempt++) {
      const url = `http://127.0.0.1:${await freeTcpPort()}`;
      // A fresh TSDB each attempt: one that failed to start may have left its lock behind.
      const data = mkdtempSync(join(dir, 'data-'));
      try {
        return handleOf(url, await launch(config, data, url), dir);
      } catch (error) {
        if (attempt >= 5 || !/address already in use/i.test((error as Error).message)) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Starts the process and resolves once `/-/ready` answers 200; kills it and rejects if it never does. */
async function launch(config: string, data: string, url: string): Promise<ChildProcess> {
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=${url.slice('http://'.length)}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    // Little at warn level; a bounded tail for error messages all the same.
    stderr = (stderr + chunk).slice(-8_192);
  });
  let exited: Error | undefined;
  // 'close', not 'exit': after the last of stderr, which says why (e.g. the port is taken).
  child.once('close', (code, signal) => {
    exited = new Error(`prometheus exited (${code ?? signal}) before it was ready: ${stderr.trim()}`);
  });
  child.once('error', (error) => {
    exited = error;
  });
  const started = performance.now();
  try {
    for (;;) {
      if (exited) throw exited;
      if (await isReady(url)) return child;
      if (performance.now() - started > READY_WAIT_MS) {
        throw new Error(`prometheus on ${url} not ready after ${READY_WAIT_MS} ms: ${stderr.trim()}`);
      }
      await sleep(20);
    }
  } catch (error) {
    await stop(child);
    throw error;
  }
}

async function isReady(url: string): Promise<boolean> {
  try {
    // Bounded: if another process took the port, it may accept and never answer.
    const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(READY_PROBE_MS) });
    // The body names it, in case something else took the port in the moment Prometheus failed to.
    const body = await response.text();
    return response.status === 200 && body.includes('Prometheus');
  } catch {
    return false; // not listening yet, or not answering
  }
}

function handleOf(url: string, child: ChildProcess, dir: string): Prometheus {
  const query = async (promql: string): Promise<PrometheusSample[]> => {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`, {
      signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    });
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: PrometheusSample[] };
    };
    if (body.status !== 'success' || body.data === undefined) {
      throw new Error(`Prometheus query ${promql} failed (HTTP ${response.status}): ${body.error ?? 'no data'}`);
    }
    if (body.data.resultType !== 'vector') {
      throw new Error(`Prometheus query ${promql} returned a ${body.data.resultType}, not an instant vector`);
    }
    return body.data.result;
  };

  return {
    url,
    query,
    async waitFor(promql, predicate, timeoutMs = PROMETHEUS_WAIT_MS) {
      // waitFor checks a condition synchronously: a loop of queries beside it records the outcome.
      let last: PrometheusSample[] | undefined;
      let outcome: { ok: true; result: PrometheusSample[] } | { ok: false; error: unknown } | undefined;
      let polling = true;
      void (async () => {
        try {
          while (polling) {
            last = await query(promql);
            if (predicate(last)) {
              outcome = { ok: true, result: last };
              return;
            }
            await sleep(QUERY_POLL_MS);
          }
        } catch (error) {
          outcome = { ok: false, error };
        }
      })();
      try {
        await waitFor(() => outcome !== undefined, { timeoutMs, what: `${promql} to satisfy the predicate` });
      } catch (error) {
        throw new Error(`${(error as Error).message}; last result: ${JSON.stringify(last)}`, { cause: error });
      } finally {
        polling = false;
      }
      if (!outcome!.ok) throw outcome!.error;
      return outcome!.result;
    },
    async close() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  // No pid: it never started (not installed), and no 'exit' will come.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // SIGKILL: the TSDB is thrown away, so a graceful shutdown would only cost time.
  child.kill('SIGKILL');
  await exited;
}

function configOf(options: PrometheusOptions): string {
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  // JSON is YAML: no quoting rules to get wrong. scrape_timeout may not exceed the interval.
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: 'test',
        metrics_path: options.metricsPath ?? '/metrics',
        static_configs: [{ targets: [...options.targets] }],
      },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** `127.x.x.x:port`, `localhost:port` or `[::1]:port`. */
function isLoopbackTarget(target: string): boolean {
  return /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\]):\d{1,5}$/.test(target);
}

/** A TCP port free on 127.0.0.1 a moment ago (listen, read, close). */
async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('No TCP port from 127.0.0.1:0');
  return address.port;
}
