/**
 * A benchmark client in its own process: `client-child.ts <systemId>`, forked by the parent for
 * one run, so the client's CPU and memory are its own and nothing of the harness shares its
 * event loop. Protocol (job → ready → go → result → close): see ipc.ts.
 */
import { runClosedLoop } from './closed-loop.js';
import type { ClientChildMessage, ClientJob, ParentToClientMessage } from './ipc.js';
import { createCheckedCall, type PayloadName } from './scenarios.js';
import { summarizeLatency } from './stats.js';
import { findSystem } from './systems/registry.js';
import type { BenchClient, ClientModule } from './systems/system.js';

const systemId = process.argv[2];
if (systemId === undefined) throw new Error('usage: client-child.ts <systemId>');
if (process.send === undefined)
  throw new Error('client-child.ts must be started with an IPC channel (child_process.fork)');
const system = findSystem(systemId);
const send = (message: ClientChildMessage): void => void process.send?.(message);

let client: BenchClient | undefined;
let job: ClientJob | undefined;

process.on('message', (message: ParentToClientMessage) => {
  if (message.type === 'job') {
    job = message;
    prepare(message).then(
      () => send({ type: 'ready' }),
      (error: unknown) =>
        send({ type: 'failed', message: `${systemId}: ${error instanceof Error ? error.message : String(error)}` }),
    );
  } else if (message.type === 'go') void run();
  else if (message.type === 'close') void exit();
});
process.on('disconnect', () => void exit());

/** Connects and makes one call whose answer is checked, so a broken system fails before anything is timed. */
async function prepare(message: ClientJob): Promise<void> {
  const module = (await import(system.clientModule.href)) as ClientModule;
  client = await module.connectClient(message.address);
  await checkOnce(client, message.payload);
}

async function checkOnce(connected: BenchClient, payload: PayloadName): Promise<void> {
  if (payload === 'add') {
    const output = await connected.add({ a: 2, b: 3 });
    if (output?.sum !== 5) throw new Error(`add(2, 3) answered ${JSON.stringify(output)}`);
    return;
  }
  const message = 'check'.repeat(100);
  const output = await connected.echo({ message });
  if (output?.message !== message) throw new Error('echo did not return its message');
}

async function run(): Promise<void> {
  if (client === undefined || job === undefined) throw new Error('go before a successful job');
  const resendsBefore = client.resends?.() ?? 0;
  const loop = await runClosedLoop(createCheckedCall(client, job.payload), job);
  send({
    type: 'result',
    result: {
      calls: loop.calls,
      errors: loop.errors,
      wrongAnswers: loop.wrongAnswers,
      callsPerSecond: loop.callsPerSecond,
      latencyMs: summarizeLatency(loop.latenciesMs),
      resends: (client.resends?.() ?? 0) - resendsBefore,
      totalCalls: loop.totalCalls,
    },
  });
}

async function exit(): Promise<void> {
  await client?.close().catch(() => {});
  process.exit(0);
}
