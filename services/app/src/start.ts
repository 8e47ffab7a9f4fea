/**
 * `npm start`: serves echo and kv on 127.0.0.1 over UDP and TCP (port 4000 by default) until
 * SIGINT/SIGTERM, then drains in-flight calls and exits 0. A second signal exits at once.
 *
 *   npm start -- --port 5000 --host ::1      or   PORT=5000 HOST=::1 LOG_LEVEL=debug npm start
 *   npm start -- --metrics 9464              or   VOLLEY_METRICS=9464 npm start
 *
 * `--metrics [host:]port` serves Prometheus metrics at http://host:port/metrics (host default
 * 127.0.0.1; metrics-endpoint.ts), until the drain is over.
 *
 * Mistakes (a bad flag or value, a port in use) print one line on stderr, never a stack: exit 2
 * for the command line, 1 when the server cannot listen. The npm script runs this file with
 * `exec node …`, so npm's SIGTERM reaches node rather than only the shell npm starts. This is
 * also the model for a service that needs its own entry point (signing keys, limits, TLS);
 * otherwise `volley serve <router module>` does the same (docs/cli.md).
 */
import { parseArgs } from 'node:util';
import { createServer, type ListeningAddresses } from '@volley/server';
import { pino } from 'pino';
import { createAppRouter } from './app-router.js';
import { parseMetricsFlag, serveMetrics } from './metrics-endpoint.js';

const LOG_LEVELS: readonly string[] = [...Object.keys(pino.levels.values), 'silent'];
/** 128 + the signal's number, as a shell reports a process the signal killed. */
const EXIT_ON_SECOND_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const;

function fail(message: string, code: number): never {
  console.error(`npm start: ${message}`);
  process.exit(code);
}

let values: { port: string; host: string; 'log-level': string; metrics?: string };
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', short: 'p', default: process.env.PORT ?? '4000' },
      host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
      'log-level': { type: 'string', default: process.env.LOG_LEVEL ?? 'info' },
      metrics: { type: 'string', default: process.env.VOLLEY_METRICS },
    },
  }));
} catch (error) {
  fail(`${(error as Error).message.split('\n')[0]} (flags: --port, --host, --log-level, --metrics)`, 2);
}
const port = Number(values.port);
if (values.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65_535)
  fail(`--port must be an integer from 0 to 65535, got "${values.port}"`, 2);
if (!LOG_LEVELS.includes(values['log-level']))
  fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${values['log-level']}"`, 2);
const metricsAt = values.metrics === undefined || values.metrics === '' ? undefined : parseMetricsFlag(values.metrics);
if (values.metrics && metricsAt === undefined)
  fail(`--metrics must be [host:]port, the port from 0 to 65535, got "${values.metrics}"`, 2);

const logger = pino({ level: values['log-level'] });
const server = createServer({ router: createAppRouter(), logger, service: { name: 'demo', version: '0.1.0' } });
let bound: ListeningAddresses;
let metrics: Awaited<ReturnType<typeof serveMetrics>> | undefined;
try {
  bound = await server.listen({ udp: { host: values.host, port }, tcp: { host: values.host, port } });
  metrics = metricsAt && (await serveMetrics(server, metricsAt));
} catch (error) {
  await server.close({ graceMs: 0 });
  fail((error as Error).message.split('\n')[0] ?? String(error), 1);
}
logger.info(
  {
    udp: `udp://${formatHost(values.host)}:${bound.udp?.port}`,
    tcp: `tcp://${formatHost(values.host)}:${bound.tcp?.port}`,
    ...(metrics && { metrics: metrics.url }),
  },
  'echo and kv are serving; stop with Ctrl-C or SIGTERM (drains in-flight calls)',
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(EXIT_ON_SECOND_SIGNAL[signal]); // a second signal skips the drain
    stopping = true;
    logger.info({ signal }, 'draining before exit');
    void server
      .close()
      .then(() => metrics?.close())
      .then(() => process.exit(0));
  });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
