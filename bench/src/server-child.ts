/**
 * A benchmark server in its own process: `server-child.ts <systemId> [socketPath]` imports the
 * system's server module, starts it on 127.0.0.1 (or the Unix socket path), reports its address
 * over IPC (ipc.ts), then serves until told `'stop'` or the parent goes away. The parent reads
 * this process's CPU and memory from /proc, so the server module needs no hooks.
 */
import { BENCH_HOST } from './constants.js';
import type { ServerChildMessage } from './ipc.js';
import { findSystem } from './systems/registry.js';
import type { RunningServer, ServerModule } from './systems/system.js';

const [systemId, path] = process.argv.slice(2);
if (systemId === undefined) throw new Error('usage: server-child.ts <systemId> [socketPath]');
if (process.send === undefined)
  throw new Error('server-child.ts must be started with an IPC channel (child_process.fork)');
const send = (message: ServerChildMessage): void => void process.send?.(message);

let running: RunningServer | undefined;
try {
  const module = (await import(findSystem(systemId).serverModule.href)) as ServerModule;
  running = await module.startServer(path === undefined ? { host: BENCH_HOST } : { host: BENCH_HOST, path });
  send({ type: 'ready', address: running.address });
} catch (error) {
  send({ type: 'failed', message: `${systemId} server: ${error instanceof Error ? error.message : String(error)}` });
}

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  // process.exit (not a signal) so that --cpu-prof gets to write its profile.
  void (running?.close() ?? Promise.resolve()).catch(() => {}).finally(() => process.exit(0));
};
process.on('message', (message) => {
  if (message === 'stop') stop();
});
process.on('disconnect', stop);
