import { setTimeout as sleep } from 'node:timers/promises';
import { HEALTH_PROCEDURE, RpcError, STATS_PROCEDURE, type StatsReport } from '@volley/wire';
import {
  CLIENT_FLAGS,
  CLIENT_FLAGS_HELP,
  type ClientFlagValues,
  clientFromFlags,
  type FlagClient,
  positiveInt,
  resolveUrls,
} from '../client-flags.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { formatJson } from '../json-output.js';
import { computeIntervalStats } from '../stats/interval-stats.js';
import { createLiveScreen, type LiveScreen } from '../stats/live-screen.js';
import { renderStatsTable } from '../stats/stats-table.js';
import { UsageError } from '../usage-error.js';
import type { Command } from './command.js';

/** Default time between two `$stats` polls: `top`'s and `vmstat 1`'s pace, and a call a second costs a server nothing. */
export const DEFAULT_STATS_INTERVAL_MS = 1000;

/** Lines of a frame besides the procedure rows: heading, blank, column titles, the total, one spare. */
const FRAME_LINES = 5;

export const statsCommand: Command = {
  name: 'stats',
  summary: 'watch calls/s, errors and latency per procedure, live',
  help: `volley stats — watch a server's calls per procedure, live ($stats)

Usage: volley stats <url> [--interval <ms>] [--count <n>] [--json] [flags]

Asks the server for its call statistics every interval and shows, per procedure over that
interval: calls/s, error rate (calls answered with an error ÷ all calls) and the most frequent
error code, p50 and p99 latency (as the server measured it, interpolated within its histogram
buckets) and requests in flight now. Busiest first. On a terminal the table is redrawn in place;
in a pipe, or with --json, each interval is one JSON line. Ctrl-C stops it (exit 130).

Point it at one server: each instance, and each worker of a cluster, counts its own calls. A
list is refused, and so is a DNS or SRV name that reaches more than one server (it names them:
pick one); a name that reaches one server is watched at that server's address.

  --interval <ms>   time between polls (default ${DEFAULT_STATS_INTERVAL_MS})
  --count <n>       stop after n intervals (default: until Ctrl-C)
  --json            one JSON line per interval, even on a terminal

${CLIENT_FLAGS_HELP}

Examples:
  volley stats udp://127.0.0.1:4000
  volley stats 127.0.0.1:4000 --tcp --interval 5000
  volley stats tcp://127.0.0.1:4000 --json --count 10 | jq '.procedures[0]'`,
  flags: {
    ...CLIENT_FLAGS,
    interval: { type: 'string' },
    count: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals, io }) {
    const [target, ...extra] = positionals;
    if (target === undefined) throw new UsageError('Needs <url>');
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
    const intervalMs = positiveInt('interval', values.interval as string | undefined, DEFAULT_STATS_INTERVAL_MS);
    const count = values.count === undefined ? undefined : positiveInt('count', values.count as string, 1);
    const urls = resolveUrls(target, values);
    if (urls.length > 1)
      throw new UsageError(`watches one server, and a list names ${urls.length}: give one of ${urls.join(', ')}`);
    // Ctrl-C ends the watch, not the process: the cursor is shown again and the client closed.
    const interrupt = new AbortController();
    const onInterrupt = (): void => interrupt.abort();
    process.once('SIGINT', onInterrupt);
    let watched: FlagClient | undefined;
    let screen: LiveScreen | undefined;
    try {
      watched = await oneServer(clientFromFlags(target, values), target, values, interrupt.signal, io);
      screen = io.stdoutIsTTY && values.json !== true ? createLiveScreen(io) : undefined;
      return await watch(watched, { intervalMs, count, screen, io, signal: interrupt.signal });
    } catch (error) {
      if (interrupt.signal.aborted) return EXIT.interrupted;
      throw error;
    } finally {
      process.off('SIGINT', onInterrupt);
      screen?.restore();
      await watched?.client.close();
    }
  },
};

/** How {@link watch} shows what it polls. */
interface WatchOptions {
  readonly intervalMs: number;
  /** Intervals to show; undefined: until interrupted. */
  readonly count: number | undefined;
  /** The terminal's live view, or undefined for one JSON line per interval. */
  readonly screen: LiveScreen | undefined;
  readonly io: CliIo;
  readonly signal: AbortSignal;
}

/** Polls `$stats` of the one server `watched` reaches every interval and shows each interval's figures. */
async function watch({ client, url, timeoutMs }: FlagClient, options: WatchOptions): Promise<number> {
  const { intervalMs, count, screen, io, signal } = options;
  const poll = async (): Promise<StatsReport> => {
    try {
      return (await client.call(STATS_PROCEDURE, undefined, { timeoutMs, signal })) as StatsReport;
    } catch (error) {
      throw error instanceof RpcError && error.code === 'NOT_FOUND' ? notServingStats(url, error) : error;
    }
  };
  let before = await poll();
  screen?.draw([`${url} · first figures in ${(intervalMs / 1000).toFixed(1)} s`]);
  let due = performance.now() + intervalMs;
  for (let shown = 0; count === undefined || shown < count; shown++) {
    // Polls on a fixed schedule, so a slow reply does not stretch every later interval.
    await sleep(Math.max(0, due - performance.now()), undefined, { signal });
    due += intervalMs;
    const after = await poll();
    const interval = computeIntervalStats(before, after);
    before = after;
    if (screen === undefined) io.out(formatJson({ time: new Date().toISOString(), target: url, ...interval }, false));
    else {
      // A terminal of unknown size (0 rows, as some ptys say) gets every row.
      const rows = io.stdoutRows ?? 0;
      const maxRows = rows > FRAME_LINES ? rows - FRAME_LINES : undefined;
      screen.draw(renderStatsTable(interval, { target: url, maxRows }));
    }
  }
  return EXIT.ok;
}

/**
 * The one server a target reaches, with a client of its own. A target of one address is that
 * server. A DNS or SRV name may reach several, and polling them in turn would mix their counters
 * (every interval would look like a restart): once each has answered its `$health` probe or
 * failed, a name that reaches more than one server is refused, naming them, and a name that
 * reaches one (`localhost` may list `::1` where the server listens on 127.0.0.1 only) is watched
 * at that server's address, said on stderr when others were left out.
 */
async function oneServer(
  found: FlagClient,
  target: string,
  values: ClientFlagValues,
  signal: AbortSignal,
  io: CliIo,
): Promise<FlagClient> {
  if (found.client.stats.endpoints === undefined) return found;
  try {
    // Any answer, or none: discovery and the probes have had their turn. A failure is the poll's to report.
    await found.client.call(HEALTH_PROCEDURE, undefined, { timeoutMs: found.timeoutMs, signal }).catch(() => {});
    const settleBy = performance.now() + found.timeoutMs;
    const probing = () => found.client.stats.endpoints?.some((endpoint) => endpoint.state === 'probing') === true;
    while (probing() && performance.now() < settleBy && !signal.aborted) await sleep(10);
    const endpoints = found.client.stats.endpoints ?? [];
    const answering = endpoints.filter((endpoint) => endpoint.state === 'ready');
    const [only] = answering;
    if (answering.length > 1) {
      const list = endpoints.map((e) => (e.state === 'ready' ? e.url : `${e.url} (not answering)`)).join(', ');
      throw new UsageError(
        `watches one server, and ${target} reaches ${answering.length}: ${list}; pick one, as in: volley stats ${answering[0]?.url}`,
      );
    }
    if (only === undefined) return found;
    if (endpoints.length > 1)
      io.err(
        `volley stats: ${target} lists ${endpoints.map((e) => e.url).join(', ')}; watching ${only.url}, the one that answers`,
      );
    // TLS: the certificate carries the name the endpoint was found by, not its address.
    const servername = values.servername ?? (only.url.startsWith('tls://') ? only.name : undefined);
    const pinned = clientFromFlags(only.url, { ...values, servername });
    await found.client.close();
    return pinned;
  } catch (error) {
    await found.client.close();
    throw error;
  }
}

/** NOT_FOUND for `$stats` itself: say why a server may not answer it, not only that it did not. */
function notServingStats(url: string, error: RpcError): RpcError {
  return new RpcError(
    'NOT_FOUND',
    `${url} does not answer ${STATS_PROCEDURE}: turned off (stats: false, callStats: false, or reflection: false without stats: true), or a Volley server older than ${STATS_PROCEDURE}`,
    { cause: error },
  );
}
