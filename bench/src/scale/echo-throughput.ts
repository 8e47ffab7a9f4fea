import { connectClient as connectRawTcp } from '../systems/raw/raw-tcp-client.js';
import type { BenchClient, ClientModule } from '../systems/system.js';
import { connectClient as connectVolleyTcp } from '../systems/volley/volley-tcp-client.js';

/** The two systems of the payload sweep: the raw `node:net` floor and Volley over TCP. */
export type EchoSystem = 'raw' | 'volley';

/** Their client modules, through the bench's system contract (systems/system.ts). */
const CONNECT: Record<EchoSystem, ClientModule['connectClient']> = { raw: connectRawTcp, volley: connectVolleyTcp };

/** One closed-loop run of echo calls at one payload size. */
export interface EchoRunOptions {
  system: EchoSystem;
  port: number;
  sizeBytes: number;
  outstanding: number;
  warmupMs: number;
  durationMs: number;
}

export interface EchoRunResult {
  /** Calls that started and finished inside the measured window. */
  calls: number;
  callsPerSecond: number;
}

/** Longer than Volley's default 10 s deadline, so Volley reports its own timeout first. */
const RUN_SLACK_MS = 15_000;

/** One connection per system, opened on first use and kept for every size (as a real client would). */
const clients = new Map<EchoSystem, BenchClient>();

async function clientFor(system: EchoSystem, port: number): Promise<BenchClient> {
  let client = clients.get(system);
  if (client === undefined) {
    client = await CONNECT[system]({ host: '127.0.0.1', port });
    clients.set(system, client);
  }
  return client;
}

/**
 * Echoes a `sizeBytes` ASCII string with `outstanding` calls kept in flight on one connection:
 * each finished call starts the next. Calls started during warmup, or finished after the window,
 * are not counted. (A loop of its own rather than the harness's closed-loop.ts, which records
 * every latency and is being reworked alongside this suite.)
 */
export async function runEcho(options: EchoRunOptions): Promise<EchoRunResult> {
  const client = await clientFor(options.system, options.port);
  const input = { message: 'x'.repeat(options.sizeBytes) };
  const check = await client.echo(input);
  if (check.message !== input.message)
    throw new Error(`${options.system}: echo of ${options.sizeBytes} bytes came back as ${check.message.length}`);
  const windowStart = performance.now() + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  let calls = 0;
  const worker = async (): Promise<void> => {
    for (let begin = performance.now(); begin < windowEnd; begin = performance.now()) {
      await client.echo(input);
      if (begin >= windowStart && performance.now() <= windowEnd) calls++;
    }
  };
  // The raw client has no deadlines: without this a stuck connection would hang the suite.
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${options.system}: calls still outstanding ${RUN_SLACK_MS} ms after the window`)),
      options.warmupMs + options.durationMs + RUN_SLACK_MS,
    );
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: options.outstanding }, worker)), stuck]);
  } finally {
    clearTimeout(timer);
  }
  return { calls, callsPerSecond: (calls / options.durationMs) * 1000 };
}

/** Closes every connection opened by {@link runEcho}. */
export async function closeEchoClients(): Promise<void> {
  await Promise.allSettled([...clients.values()].map((client) => client.close()));
  clients.clear();
}
