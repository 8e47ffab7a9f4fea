import type { ClientMethods } from '@volley/client';
import { DEFAULT_RATE_MAX_IN_FLIGHT_PER_CONNECTION, LATE_AFTER_MS } from '../bench/constants.js';
import { BENCH_FLAGS, parseBenchOptions } from '../bench/options.js';
import { startProgress } from '../bench/progress.js';
import { toBenchReport } from '../bench/report.js';
import { formatBenchText } from '../bench/report-text.js';
import { type BenchRun, runBench } from '../bench/run-bench.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, clientFromFlags, type FlagClient } from '../client-flags.js';
import { EXIT } from '../exit-codes.js';
import { formatJson } from '../json-output.js';
import { readInput } from '../read-input.js';
import type { Command } from './command.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'load-test a procedure: calls/s, errors by code, latency percentiles',
  help: `volley bench — load-test one procedure and report throughput, errors and latency

Usage: volley bench <url> <procedure> [json | @file | -] [flags]

By default, a closed loop: N workers each call the procedure in a loop, one call in flight each,
over K connections (workers spread round-robin; one multiplexed connection by default, as ghz).
A slow server then slows the load too, and hides part of its latency (coordinated omission).

With --rate R, an open loop (as wrk2 and ghz --rps): call i is due at i/R seconds whether or
not earlier calls have finished, and its latency counts from that due time, so a stall shows in
every call it held up (timer ticks are ~1 ms, so sub-millisecond latencies read a little high).
-c is then the cap on calls in flight, by default ${DEFAULT_RATE_MAX_IN_FLIGHT_PER_CONNECTION} per connection (the UDP client's own
window); due calls beyond it wait, still timed from their due time. Calls go round-robin over
the connections. The report gives the rate achieved and the calls that started late: more
than ${LATE_AFTER_MS} ms (or one interval, if longer) after their due time.

The run lasts --duration, or makes exactly --calls calls; calls still in flight at the end finish
and count. Under --rate with --duration, due calls the cap still holds at the end are not made.
--warmup first runs the same load on the same connections for that long, and counts none of it.
Ctrl-C stops early and still prints the report.

The report (stdout) gives calls/s, failed calls by error code with a sample message, latency
min/mean/p50/p90/p99/p99.9/max and a histogram with buckets on a 1-2-5 scale (0.1, 0.2, 0.5,
1, 2, 5 ms…); --json prints it as one JSON object. Latency counts every call, failed ones too.
On a terminal a progress line is shown on stderr.
Exits 0 when every call succeeded, 1 when any failed (the report is printed either way).

Input: inline JSON, @file to read a JSON file, - to read stdin; sent with every call.

Bench flags:
  -c, --concurrency <N>   workers, each with one call in flight (default 16); with --rate, the
                          cap on calls in flight (default ${DEFAULT_RATE_MAX_IN_FLIGHT_PER_CONNECTION} × connections)
  --rate <calls/s>        open loop: start calls at this rate (200, 0.5), latency from due time
  --duration <time>       how long to run: seconds (10, 2.5) or 500ms, 10s, 1m (default 10s)
  -n, --calls <N>         make exactly N calls instead of running for a time
  --warmup <time>         run the same load this long first, uncounted (default none, so a
                          plain run and --calls N send exactly what they say)
  --connections <K>       clients to spread the calls over (default 1; closed loop: at most N)
  --json                  print the report as JSON (indented on a terminal, one line in a pipe)

Over UDP a client keeps at most 256 calls outstanding per server; beyond that, calls wait in
the client and the wait counts as latency: use --connections for more.

${CLIENT_FLAGS_HELP}

Examples:
  volley bench udp://127.0.0.1:4000 echo.add '{"a":1,"b":2}'
  volley bench tcp://127.0.0.1:4000 echo.add '{"a":1,"b":2}' -c 64 --connections 4 --duration 30s
  volley bench udp://127.0.0.1:4000 echo.add '{"a":1,"b":2}' --rate 2000 --duration 30s --warmup 5s
  volley bench 127.0.0.1:4000 kv.get @key.json --calls 10000 --json | jq .latencyMs.p99`,
  flags: { ...CLIENT_FLAGS, ...BENCH_FLAGS },
  async run({ values, positionals, io }) {
    const options = parseBenchOptions(values, positionals);
    const input = await readInput(options.input, io);
    const clients = openClients(options.target, values, options.connections);
    const { url, timeoutMs } = clients[0] as FlagClient;
    const pool: ClientMethods[] = clients.map((c) => c.client);
    const progress = io.stderrIsTTY ? startProgress(io) : undefined;
    // Ctrl-C ends the run early with a report; a second Ctrl-C (listener gone) kills as usual.
    const interrupt = new AbortController();
    const onInterrupt = (): void => interrupt.abort();
    process.once('SIGINT', onInterrupt);
    let run: BenchRun;
    try {
      run = await runBench(
        (lane) => (pool[lane % pool.length] as ClientMethods).call(options.procedure, input, { timeoutMs }),
        {
          mode: options.mode,
          stop: options.stop,
          warmupMs: options.warmupMs,
          signal: interrupt.signal,
          onPhase: (phase) => progress?.show(phase),
        },
      );
    } finally {
      process.off('SIGINT', onInterrupt);
      progress?.stop();
      await Promise.all(pool.map((client) => client.close()));
    }
    const report = toBenchReport(
      { url, procedure: options.procedure, mode: options.mode, connections: options.connections },
      run,
    );
    io.out(options.json ? formatJson(report, io.stdoutIsTTY) : formatBenchText(report));
    return run.measured.tally.failed === 0 ? EXIT.ok : EXIT.failed;
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
