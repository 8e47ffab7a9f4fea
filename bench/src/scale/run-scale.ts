import { cpus } from 'node:os';
import { measureIdleConnections } from './measure-idle-connections.js';
import { measurePayloadSizes, type PayloadTiming } from './measure-payload-sizes.js';
import { measureReplyCache } from './measure-reply-cache.js';
import type { ScaleResults } from './scale-results.js';

export { formatScaleMarkdown } from './format-scale.js';
export type {
  IdleConnectionsResult,
  MemoryReading,
  PayloadSizeResult,
  ReplyCacheResult,
  ScaleResults,
} from './scale-results.js';

/** Options for {@link runScaleSuite}. */
export interface ScaleSuiteOptions {
  /** Shorter throughput runs (1 s per size per system instead of 2 s); the memory figures are the same. */
  quick?: boolean;
}

/** Issue 6: server memory with 10 000 idle TCP connections. */
export const IDLE_CONNECTIONS = 10_000;
/** Issue 6: reply cache memory for 100 000 distinct UDP clients (also the cache's default entry cap). */
export const UDP_CLIENTS = 100_000;
const QUICK_TIMING: PayloadTiming = { warmupMs: 300, durationMs: 1_000 };
const FULL_TIMING: PayloadTiming = { warmupMs: 500, durationMs: 2_000 };

/**
 * The scale measurements of `npm run bench` (issue 6): server memory per idle TCP connection
 * (Volley beside the raw `node:net` floor), reply cache memory for 100 000 UDP clients, and echo
 * calls/s against payload size over TCP. Every server and load client runs in its own child
 * process. A measurement that fails is logged and listed in `failures`; the others still run.
 * @example
 * const results = await runScaleSuite((line) => process.stderr.write(`${line}\n`), { quick: true });
 * process.stdout.write(formatScaleMarkdown(results));
 */
export async function runScaleSuite(
  log: (line: string) => void,
  options: ScaleSuiteOptions = {},
): Promise<ScaleResults> {
  const quick = options.quick ?? false;
  const results: ScaleResults = {
    node: process.version,
    cpus: cpus().length,
    quick,
    idleConnections: [],
    replyCache: null,
    payloadSizes: [],
    failures: [],
  };
  const attempt = async (measurement: string, run: () => Promise<void>): Promise<void> => {
    log(`scale: ${measurement}`);
    try {
      await run();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`scale: ${measurement} failed: ${message}`);
      results.failures.push({ measurement, message });
    }
  };

  for (const system of ['raw', 'volley'] as const) {
    await attempt(`${formatCount(IDLE_CONNECTIONS)} idle TCP connections, ${system}`, async () => {
      const result = await measureIdleConnections(system, IDLE_CONNECTIONS, log);
      const perConnection = (result.after.rssBytes - result.before.rssBytes) / result.connections;
      log(
        `  ${formatCount(result.connections)} connections in ${(result.setupMs / 1000).toFixed(1)} s, ${formatCount(perConnection)} B RSS each`,
      );
      results.idleConnections.push(result);
    });
  }
  await attempt(`reply cache, ${formatCount(UDP_CLIENTS)} UDP clients`, async () => {
    results.replyCache = await measureReplyCache(UDP_CLIENTS, log);
  });
  await attempt('echo calls/s by payload size over TCP', async () => {
    results.payloadSizes = await measurePayloadSizes(quick ? QUICK_TIMING : FULL_TIMING, log);
  });
  return results;
}

function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
