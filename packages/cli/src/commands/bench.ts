import type { ClientMethods } from '@volley/client';
import { BENCH_FLAGS, parseBenchOptions } from '../bench/options.js';
import { runLoad, type LoadResult } from '../bench/load.js';
import { startProgress } from '../bench/progress.js';
import { formatBenchText } from '../bench/report-text.js';
import { toBenchReport } from '../bench/report.js';
import { LoadTally } from '../bench/tally.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, type FlagClient, clientFromFlags } from '../client-flags.js';
import { EXIT } from '../exit-codes.js';
import { formatJson } from '../json-output.js';
import { readInput } from '../read-input.js';
import type { Command } from './command.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'load-test a procedure: calls/s, errors by code, latency percentiles',
  help: `volley bench — load-test one procedure and report throughput, errors and latency

Usage: volley bench <url> <procedure> [json | @file | -] [flags]

N workers each call the procedure in a loop, one call in flight each, over K connections
(workers spread round-robin; one multiplexed connection by default, as ghz). The run lasts
--duration, or makes exactly --calls calls; calls still in flight at the end finish and count.
Ctrl-C stops early and still prints the report.

The report (stdout) gives calls/s, failed calls by error code with a sample message, latency
min/mean/p50/p90/p99/p99.9/max and a histogram; --json prints it as one JSON object. Latency
counts every call, failed ones too. On a terminal a progress line is shown on stderr.
Exits 0 when every call succeeded, 1 when any failed (the report is printed either way).

Input: inline JSON, @file to read a JSON file, - to read stdin; sent with every call.

Bench flags:
  -c, --concurrency <N>   workers, each with one call in flight (default 16)
  --duration <time>       how long to run: seconds (10, 2.5) or 500ms, 10s, 1m (default 10s)
  -n, --calls <N>         make exactly N calls instead of running for a time
  --connections <K>       clients to spread the workers over, at most N (default 1)
  --json                  print the report as JSON (indented on a terminal, one line in a pipe)

Over UDP a client keeps at most 256 calls outstanding per server; beyond that, calls wait in
the client and the wait counts as latency: use --connections for more.

${CLIENT_FLAGS_HELP}

Examples:
  volley bench udp://127.0.0.1:4000 echo.add '{"a":1,"b":2}'
  volley bench tcp://127.0.0.1:4000 echo.add '{"a":1,"b":2}' -c 64 --connections 4 --duration 30s
  volley bench 127.0.0.1:4000 kv.get @key.json --calls 10000 --json | jq .latencyMs.p99`,
  flags: { ...CLIENT_FLAGS, ...BENCH_FLAGS },
  async run({ values, positionals, io }) {
    const options = parseBenchOptions(values, positionals);
    const input = await readInput(options.input, io);
    const clients = openClients(options.target, values, options.connections);
    const { url, timeoutMs } = clients[0] as FlagClient;
    const pool: ClientMethods[] = clients.map((c) => c.client);
    const tally = new LoadTally();
    const progress = io.stderrIsTTY ? startProgress(io, tally, options.stop) : undefined;
    // Ctrl-C ends the run early with a report; a second Ctrl-C (listener gone) kills as usual.
    const interrupt = new AbortController();
    const onInterrupt = (): void => interrupt.abort();
    process.once('SIGINT', onInterrupt);
    let result: LoadResult;
    try {
      result = await runLoad((worker) => (pool[worker % pool.length] as ClientMethods).call(options.procedure, input, { timeoutMs }), {
        concurrency: options.concurrency,
        stop: options.stop,
        tally,
        signal: interrupt.signal,
      });
    } finally {
      process.off('SIGINT', onInterrupt);
      progress?.stop();
      await Promise.all(pool.map((client) => client.close()));
    }
    const report = toBenchReport({ url, procedure: options.procedure, concurrency: options.concurrency, connections: options.connections }, result);
    io.out(options.json ? formatJson(report, io.stdoutIsTTY) : formatBenchText(report));
    return tally.failed === 0 ? EXIT.ok : EXIT.failed;
  },
};

/** `count` clients with the same flags; if one cannot be built, closes those already open. */
function openClients(target: string, values: Parameters<typeof clientFromFlags>[1], count: number): FlagClient[] {
  const clients: FlagClient[] = [];
  try {
    for (let i = 0; i < count; i++) clients.push(clientFromFlags(target, values));
  } catch (error) {
    for (const { client } of clients) void client.close();
    throw error;
  }
  return clients;
}
