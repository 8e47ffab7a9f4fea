import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ListeningAddresses, ListenOptions, Server, ServerMetricsSource } from '@volley/server';
import type { Level } from 'pino';
import { positiveInt } from '../client-flags.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { DEFAULT_METRICS_HOST, type MetricsAddress, parseMetricsAddress } from '../metrics/metrics-address.js';
import type { MetricsEndpoint } from '../metrics/metrics-endpoint.js';
import { UsageError } from '../usage-error.js';
import type { Command } from './command.js';
import { workersFromFlag } from './serve-workers.js';

/** Where `volley serve` listens without flags: the port `npm start` uses, loopback only. */
export const DEFAULT_SERVE_PORT = 4000;
export const DEFAULT_SERVE_HOST = '127.0.0.1';

/** pino's level names (pino.levels.values), written out so the CLI does not load pino to start. */
export const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * The server's DEFAULT_CLOSE_GRACE_MS, written out so `--help` and the other commands do not load
 * the server (a test checks they agree).
 */
export const DEFAULT_GRACE_MS = 5_000;
/** The signals a supervisor stops a service with: systemd and `docker stop` send SIGTERM, a terminal SIGINT. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** After the drain, how long stray handles of the served module may keep the process up: a flush of buffered logs, not more. */
const EXIT_AFTER_DRAIN_MS = 1000;
/** 128 + the signal's number: what a shell reports for a process the signal killed. */
const EXIT_ON_SECOND_SIGNAL: Readonly<Record<(typeof STOP_SIGNALS)[number], number>> = { SIGINT: 130, SIGTERM: 143 };

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve a router module until SIGTERM/SIGINT, then drain and exit 0',
  help: `volley serve — run a router module as a service

Usage: volley serve <module> [--port <n> | --udp <n> --tcp <n>] [--host <h>] [--workers auto|<n>]
                    [--metrics [host:]port] [flags]

Imports the module (.js with node, .ts through tsx), picks its router as 'volley gen' does
(--export, else the default export, else the only router, else the only create…Router
factory), and serves it over UDP and TCP. Logs are pino JSON lines on stdout; the
"serving" line carries the URLs. On SIGTERM or SIGINT it drains — new calls are refused
as not executed, in-flight calls get up to --grace-ms to finish — and exits 0. A second
signal exits at once (130 for SIGINT, 143 for SIGTERM). A port in use or a module that
does not load: one line on stderr, exit 4.

  --export <name>      the module's export to serve: a router, or a function returning one
  --port <n>           UDP and TCP port (default ${DEFAULT_SERVE_PORT}; 0 picks a free one, shared)
  --udp <n>            serve UDP on this port (with --tcp, or alone for UDP only)
  --tcp <n>            serve TCP on this port (with --udp, or alone for TCP only)
  --host <h>           address to listen on (default ${DEFAULT_SERVE_HOST}, this machine only;
                       0.0.0.0 or :: for every interface)
  --workers auto|<n>   serve from n worker processes on one port (auto: one per core), each
                       with its own reply cache and stats; a worker that dies is replaced.
                       Default: one process, no workers. UDP is on every worker with Node
                       22.12+ on Linux (SO_REUSEPORT), on worker 1 only before (docs/deploying.md)
  --metrics [host:]port
                       serve Prometheus metrics at http://host:port/metrics (host default
                       ${DEFAULT_METRICS_HOST}; 0 picks a port): calls, latency and sizes per procedure,
                       reply cache, connections (docs/observability.md); with --workers the
                       primary serves every worker's, labelled volley_worker
  --grace-ms <ms>      how long a drain waits for in-flight calls (default ${DEFAULT_GRACE_MS})
  --log-level <level>  ${LOG_LEVELS.join(', ')} (default info, or $LOG_LEVEL)
  --name <name>        service name for $describe and $health (default: none)

Examples:
  volley serve dist/app-router.js --host 0.0.0.0 --port 4000
  volley serve services/app/src/app-router.ts --port 0 --log-level debug
  volley serve dist/app-router.js --host 0.0.0.0 --port 4000 --workers auto
  volley serve dist/app-router.js --port 4000 --metrics 9464`,
  flags: {
    export: { type: 'string' },
    port: { type: 'string' },
    udp: { type: 'string' },
    tcp: { type: 'string' },
    host: { type: 'string' },
    'grace-ms': { type: 'string' },
    'log-level': { type: 'string' },
    name: { type: 'string' },
    workers: { type: 'string' },
    metrics: { type: 'string' },
  },
  async run({ values, positionals, io }) {
    const [source, ...extra] = positionals;
    if (source === undefined) throw new UsageError('Needs <module>');
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
    const host = (values.host as string | undefined) ?? DEFAULT_SERVE_HOST;
    const listen = listenOptionsFrom(values, host);
    const graceMs = nonNegativeInt('grace-ms', values['grace-ms'] as string | undefined, DEFAULT_GRACE_MS);
    const workers = workersFromFlag(values.workers as string | undefined);
    const metricsFlag = values.metrics as string | undefined;
    const metrics = metricsFlag === undefined ? undefined : parseMetricsAddress(metricsFlag);
    // Loaded on demand: the server, pino and codegen are most of the CLI's start-up time.
    const [{ loadRouterFromModule }, { createServer, serveCluster }, { pino }] = await Promise.all([
      import('@volley/codegen'),
      import('@volley/server'),
      import('pino'),
    ]);
    const level = (values['log-level'] as string | undefined) ?? process.env.LOG_LEVEL ?? 'info';
    if (!LOG_LEVELS.includes(level))
      throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
    if (!existsSync(source)) throw new UsageError(`No such module: ${source}`);

    let router: Awaited<ReturnType<typeof loadRouterFromModule>>;
    try {
      router = await loadRouterFromModule(resolve(source), values.export as string | undefined);
    } catch (error) {
      io.err(`volley serve: ${firstLine(error)}`);
      return EXIT.serve;
    }
    const logger = pino({ level: level as Level | 'silent' });
    const name = values.name as string | undefined;
    const create = () =>
      createServer({
        router,
        logger,
        closeGraceMs: graceMs,
        ...(name !== undefined && { service: { name } }),
      });
    if (workers !== undefined) {
      // node:cluster runs this same command in every worker: serveCluster tells them apart.
      try {
        const served = await serveCluster({ workers, listen, create, logger });
        if (served.role === 'worker') return EXIT.ok;
        let endpoint: MetricsEndpoint | undefined;
        try {
          endpoint = metrics && (await startMetrics(served, metrics));
        } catch (error) {
          await served.close({ graceMs: 0 });
          throw error;
        }
        logger.info(
          {
            ...urlsOf(served.addresses),
            ...(endpoint && { metrics: endpoint.url }),
            workers: served.count,
            udpSharing: served.udp,
          },
          'serving; SIGTERM or SIGINT drains every worker and exits',
        );
        await served.closed;
        await endpoint?.close();
        return EXIT.ok;
      } catch (error) {
        // The primary says why, once; a worker that could not listen has told the primary.
        if ((await import('node:cluster')).default.isPrimary) io.err(`volley serve: ${firstLine(error)}`);
        return EXIT.serve;
      }
    }
    const server = create();
    // Handlers are installed before listening: a signal that arrives while binding still drains.
    const stopped = untilStopSignal(server, io);
    let endpoint: MetricsEndpoint | undefined;
    try {
      const bound = await server.listen(listen);
      endpoint = metrics && (await startMetrics(server, metrics));
      logger.info(
        { ...urlsOf(bound), ...(endpoint && { metrics: endpoint.url }) },
        'serving; SIGTERM or SIGINT drains in-flight calls and exits',
      );
    } catch (error) {
      await server.close({ graceMs: 0 });
      stopped.dispose();
      io.err(`volley serve: ${firstLine(error)}`);
      return EXIT.serve;
    }
    await stopped.promise;
    // After the drain, not before: the endpoint shows the drain to whoever scrapes meanwhile.
    await endpoint?.close();
    // Drained: exit 0 even if the module left something holding the event loop open (a timer, a
    // pool), or the supervisor would wait for its stop timeout and kill it with SIGKILL. unref'd:
    // a process with nothing left exits at once on its own.
    setTimeout(() => process.exit(EXIT.ok), EXIT_AFTER_DRAIN_MS).unref();
    return EXIT.ok;
  },
};

/**
 * The Prometheus endpoint of `--metrics`. Loaded only then: the OpenTelemetry SDK and its
 * exporter would add to every command's start-up time.
 */
async function startMetrics(source: ServerMetricsSource, address: MetricsAddress): Promise<MetricsEndpoint> {
  const [{ serverMetrics }, { startMetricsEndpoint }] = await Promise.all([
    import('@volley/server'),
    import('../metrics/metrics-endpoint.js'),
  ]);
  return startMetricsEndpoint([serverMetrics(source)], address);
}

/** `--port` for both transports, or `--udp`/`--tcp` for the ones named; ports 0–65535. */
function listenOptionsFrom(values: Record<string, unknown>, host: string): ListenOptions {
  const udp = values.udp as string | undefined;
  const tcp = values.tcp as string | undefined;
  const port = values.port as string | undefined;
  if (port !== undefined && (udp !== undefined || tcp !== undefined))
    throw new UsageError('Use --port for both transports, or --udp and --tcp, not both');
  if (udp === undefined && tcp === undefined) {
    const both = portNumber('port', port ?? String(DEFAULT_SERVE_PORT));
    return { tcp: { host, port: both }, udp: { host, port: both } };
  }
  return {
    ...(tcp !== undefined && { tcp: { host, port: portNumber('tcp', tcp) } }),
    ...(udp !== undefined && { udp: { host, port: portNumber('udp', udp) } }),
  };
}

function portNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65_535)
    throw new UsageError(`--${flag} must be a port from 0 to 65535, got "${value}"`);
  return n;
}

function nonNegativeInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === '0') return 0;
  return positiveInt(flag, value, fallback);
}

/**
 * Resolves once the server has drained after the first SIGTERM/SIGINT. The server logs the drain
 * itself ("closing: draining in-flight calls", then "closed"). A second signal exits at once: the
 * person or supervisor sending it has decided not to wait.
 */
function untilStopSignal(server: Server, io: CliIo): { promise: Promise<void>; dispose(): void } {
  let stopping = false;
  let onSignal: (signal: (typeof STOP_SIGNALS)[number]) => void = () => {};
  const dispose = () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  };
  const promise = new Promise<void>((done) => {
    onSignal = (signal) => {
      if (stopping) {
        io.err(`volley serve: second ${signal}: exiting without waiting for the drain`);
        process.exit(EXIT_ON_SECOND_SIGNAL[signal]);
      }
      stopping = true;
      void server.close().then(() => {
        dispose();
        done();
      });
    };
  });
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return { promise, dispose };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

function urlsOf(bound: ListeningAddresses): Record<string, string> {
  return Object.fromEntries(
    Object.entries(bound).map(([kind, address]) => [kind, `${kind}://${formatHost(address.address)}:${address.port}`]),
  );
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
