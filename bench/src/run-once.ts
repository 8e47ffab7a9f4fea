import { forkChild, nextMessage, stopChild } from './child-process.js';
import { CLIENT_WATCHDOG_SLACK_MS } from './constants.js';
import type { ClientChildMessage, ClientRunResult, ParentToClientMessage } from './ipc.js';
import { readCpuMicros, readRssBytes } from './proc-stats.js';
import type { Scenario } from './scenarios.js';
import type { ServerProcess } from './spawn-server.js';

/** What one run of one system measured: the client's figures plus what /proc says about both processes. */
export interface RunFigures extends ClientRunResult {
  /** Server child CPU (user + system, all threads) over the run, ÷ calls completed, in µs. */
  serverCpuMicrosPerCall: number;
  /** The same for the client child. */
  clientCpuMicrosPerCall: number;
  /** Server child resident set size right after the run, in bytes. */
  serverRssBytes: number;
  /** Why the run produced no figures (connect failed, wrong first answer, hung); absent when it ran. */
  failure?: string;
}

/** Run timing and the clock ticks of /proc CPU figures. */
export interface RunTiming {
  warmupMs: number;
  durationMs: number;
  ticksPerSecond: number;
}

/** Time a client child gets to start, connect and answer one call. */
const CLIENT_READY_TIMEOUT_MS = 30_000;
const CHILD_ENTRY = new URL('./client-child.ts', import.meta.url);

/**
 * One closed-loop run of `server`'s system in a fresh client child. CPU of both processes is read
 * from /proc just before `go` and just after the result, so process start-up, connecting and the
 * first check are not counted; warmup calls are, and so are divided by (totalCalls).
 */
export async function runOnce(
  server: ServerProcess,
  scenario: Scenario,
  timing: RunTiming,
  nodeFlags: readonly string[] = [],
): Promise<RunFigures> {
  const child = forkChild(CHILD_ENTRY, [server.system.id], nodeFlags);
  const send = (message: ParentToClientMessage): void => void child.send(message);
  try {
    send({
      type: 'job',
      address: server.address,
      payload: scenario.payload,
      outstanding: scenario.outstanding,
      warmupMs: timing.warmupMs,
      durationMs: timing.durationMs,
    });
    const ready = await nextMessage(child, CLIENT_READY_TIMEOUT_MS, (message) => message as ClientChildMessage);
    if (ready.type === 'failed') return failedRun(ready.message);
    const clientPid = child.pid ?? 0;
    const serverCpuBefore = readCpuMicros(server.pid, timing.ticksPerSecond);
    const clientCpuBefore = readCpuMicros(clientPid, timing.ticksPerSecond);
    send({ type: 'go' });
    const watchdogMs = timing.warmupMs + timing.durationMs + CLIENT_WATCHDOG_SLACK_MS;
    const result = await nextMessage(child, watchdogMs, (message) =>
      (message as ClientChildMessage).type === 'result'
        ? (message as ClientChildMessage & { type: 'result' }).result
        : undefined,
    );
    const serverCpu = readCpuMicros(server.pid, timing.ticksPerSecond) - serverCpuBefore;
    const clientCpu = readCpuMicros(clientPid, timing.ticksPerSecond) - clientCpuBefore;
    return {
      ...result,
      serverCpuMicrosPerCall: serverCpu / result.totalCalls,
      clientCpuMicrosPerCall: clientCpu / result.totalCalls,
      serverRssBytes: readRssBytes(server.pid),
    };
  } catch (error) {
    return failedRun(`${server.system.id}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await stopChild(child, { type: 'close' } satisfies ParentToClientMessage);
  }
}

/** A run that measured nothing: NaN figures (left out of medians), and the reason. */
export function failedRun(failure: string): RunFigures {
  return {
    calls: 0,
    errors: 0,
    wrongAnswers: 0,
    callsPerSecond: Number.NaN,
    latencyMs: { p50: Number.NaN, p99: Number.NaN, p999: Number.NaN },
    resends: 0,
    totalCalls: 0,
    serverCpuMicrosPerCall: Number.NaN,
    clientCpuMicrosPerCall: Number.NaN,
    serverRssBytes: Number.NaN,
    failure,
  };
}
