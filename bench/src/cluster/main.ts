/**
 * `npm run bench:cluster`: the same load against serveCluster with 1 and with 2 worker
 * processes, over UDP and TCP: calls/s, and the server's CPU per call summed over the primary
 * and every worker (from /proc). Rounds interleave the two sizes, so drift on a shared machine
 * falls on both. A separate script from `npm run bench`, whose runs are one client process with
 * one socket against one server pid: a cluster needs many sockets (UDP spreads by source port,
 * TCP by connection) and its CPU is a process tree. Figures: docs/performance.md.
 *
 *   npm run bench:cluster -- [--rounds 5] [--seconds 5] [--loaders 2] [--transports udp,tcp]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { stopChild } from '../child-process.js';
import { CHILD_EXEC_ARGV } from '../constants.js';
import { readClockTicksPerSecond, readCpuMicros } from '../proc-stats.js';
import { median } from '../stats.js';
import type { LoadJob, LoadResult } from './load-child.js';

const SERVER = new URL('./cluster-server.ts', import.meta.url);
const LOADER = new URL('./load-child.ts', import.meta.url);
const WORKER_COUNTS = [1, 2] as const;
/** Sockets per load process and calls in flight on each: 8 × 8 = 64 per process, as `npm run bench`'s x64. */
const SOCKETS_PER_LOADER = 8;
const OUTSTANDING_PER_SOCKET = 8;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    loaders: { type: 'string', default: '2' },
    transports: { type: 'string', default: 'udp,tcp' },
  },
});
const rounds = Number(values.rounds);
const durationMs = Number(values.seconds) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const loaders = Number(values.loaders);
const transports = (values.transports ?? '').split(',') as Array<'udp' | 'tcp'>;
const ticks = readClockTicksPerSecond();
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Cluster {
  child: ChildProcess;
  port: number;
  udp: string;
  pids: number[];
}
interface Run {
  callsPerSecond: number;
  serverCpuMicrosPerCall: number;
  /** The load processes' CPU per call: with 2 cores shared, what the server could not have. */
  clientCpuMicrosPerCall: number;
  failures: number;
}

function onceMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as T));
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before answering`)));
  });
}

async function startCluster(workers: number): Promise<Cluster> {
  const child = fork(SERVER, [String(workers)], { execArgv: [...CHILD_EXEC_ARGV], stdio: 'inherit' });
  const ready = await onceMessage<{ port: number; udp: string; pids: number[] }>(child);
  return { child, ...ready };
}

const cpuOf = (pids: readonly number[]): number => pids.reduce((sum, pid) => sum + readCpuMicros(pid, ticks), 0);

async function runLoad(cluster: Cluster, transport: 'udp' | 'tcp'): Promise<Run> {
  const job: LoadJob = {
    url: `${transport}://127.0.0.1:${cluster.port}`,
    sockets: SOCKETS_PER_LOADER,
    outstanding: OUTSTANDING_PER_SOCKET,
    warmupMs,
    durationMs,
  };
  const children = Array.from({ length: loaders }, () =>
    fork(LOADER, [JSON.stringify(job)], { execArgv: [...CHILD_EXEC_ARGV], stdio: 'inherit' }),
  );
  try {
    await Promise.all(children.map((child) => onceMessage(child)));
    const before = cpuOf(cluster.pids);
    const results = children.map((child) => onceMessage<LoadResult>(child));
    for (const child of children) child.send('go');
    const done = await Promise.all(results);
    const serverCpu = cpuOf(cluster.pids) - before;
    const clientCpu = done.reduce((sum, result) => sum + result.cpuMicros, 0);
    const calls = done.reduce((sum, result) => sum + result.calls, 0);
    const totalCalls = done.reduce((sum, result) => sum + result.totalCalls, 0);
    return {
      callsPerSecond: calls / (durationMs / 1000),
      serverCpuMicrosPerCall: serverCpu / totalCalls,
      clientCpuMicrosPerCall: clientCpu / totalCalls,
      failures: done.reduce((sum, result) => sum + result.failures, 0),
    };
  } finally {
    await Promise.all(children.map((child) => stopChild(child, 'close')));
  }
}

const spread = (xs: readonly number[], digits: number) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

log(
  `volley bench:cluster: node ${process.versions.node}, ${availableParallelism()} cpus, load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(
      ' ',
    )}; ${loaders} load processes × ${SOCKETS_PER_LOADER} sockets × ${OUTSTANDING_PER_SOCKET} in flight; ${rounds} rounds of ${warmupMs / 1000}+${durationMs / 1000} s`,
);
const clusters = new Map<number, Cluster>();
try {
  for (const workers of WORKER_COUNTS) clusters.set(workers, await startCluster(workers));
  const runs = new Map<string, Run[]>();
  for (let round = 0; round < rounds; round++)
    for (const transport of transports) {
      // Alternate which size goes first, so neither always runs on a warmer or cooler machine.
      const order = round % 2 === 0 ? WORKER_COUNTS : [...WORKER_COUNTS].reverse();
      for (const workers of order) {
        const run = await runLoad(clusters.get(workers) as Cluster, transport);
        const key = `${transport} ${workers}`;
        runs.set(key, [...(runs.get(key) ?? []), run]);
        log(
          `  round ${round + 1} ${transport} ${workers} worker(s): ${Math.round(run.callsPerSecond)} calls/s, ${run.serverCpuMicrosPerCall.toFixed(1)} µs server CPU/call, ${run.clientCpuMicrosPerCall.toFixed(1)} µs client CPU/call, ${run.failures} failures`,
        );
      }
    }
  const lines = [
    `| transport | workers | UDP on | calls/s median (min–max) | server CPU µs/call median (min–max) | client CPU µs/call median | failures |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const transport of transports)
    for (const workers of WORKER_COUNTS) {
      const each = runs.get(`${transport} ${workers}`) ?? [];
      lines.push(
        `| ${transport} | ${workers} | ${transport === 'udp' ? clusters.get(workers)?.udp : '–'} | ${spread(
          each.map((run) => run.callsPerSecond),
          0,
        )} | ${spread(
          each.map((run) => run.serverCpuMicrosPerCall),
          1,
        )} | ${median(each.map((run) => run.clientCpuMicrosPerCall)).toFixed(1)} | ${each.reduce(
          (sum, run) => sum + run.failures,
          0,
        )} |`,
      );
    }
  process.stdout.write(`\n${lines.join('\n')}\n`);
} finally {
  await Promise.all([...clusters.values()].map((cluster) => stopChild(cluster.child, 'close')));
}
