import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkChild, nextMessage, stopChild } from './child-process.js';
import type { ServerChildMessage } from './ipc.js';
import type { SystemAddress, SystemDefinition } from './systems/system.js';

/** A running server child, started once and used by every scenario. */
export interface ServerProcess {
  readonly system: SystemDefinition;
  readonly address: SystemAddress;
  /** For /proc: CPU and RSS are read from outside, so peers need no bench hooks. */
  readonly pid: number;
  /** Asks the child to close and exit; kills it if it has not within the grace period. */
  stop(): Promise<void>;
}

/** Options for {@link spawnServer}. */
export interface SpawnServerOptions {
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: readonly string[];
}

/** Time a server child gets to import its module and listen (tsx compiles on first run). */
const SERVER_READY_TIMEOUT_MS = 30_000;
const CHILD_ENTRY = new URL('./server-child.ts', import.meta.url);

/** Forks `server-child.ts <systemId>` and waits for its address. Unix-socket systems get a path in the temp directory. */
export async function spawnServer(system: SystemDefinition, options: SpawnServerOptions = {}): Promise<ServerProcess> {
  const socketPath =
    system.transport === 'unix' ? join(tmpdir(), `volley-bench-${process.pid}-${system.id}.sock`) : undefined;
  if (socketPath !== undefined) rmSync(socketPath, { force: true });
  const child = forkChild(
    CHILD_ENTRY,
    socketPath === undefined ? [system.id] : [system.id, socketPath],
    options.nodeFlags,
  );
  const stop = async (): Promise<void> => {
    await stopChild(child, 'stop');
    if (socketPath !== undefined) rmSync(socketPath, { force: true });
  };
  try {
    const message = await nextMessage(child, SERVER_READY_TIMEOUT_MS, (each) => each as ServerChildMessage);
    if (message.type === 'failed') throw new Error(message.message);
    if (child.pid === undefined) throw new Error(`${system.id} server child has no pid`);
    return { system, address: message.address, pid: child.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
