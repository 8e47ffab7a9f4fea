import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The ports a server child listens on, TCP and UDP. */
export interface ServerPorts {
  tcp: number;
  udp: number;
}

/** A running server child. */
export interface ServerProcess {
  readonly kind: 'volley' | 'raw';
  readonly ports: ServerPorts;
  readonly pid: number | undefined;
  /** CPU time the child has used so far, all threads, in microseconds (user + system). */
  cpuMicros(): Promise<number>;
  /** Asks the child to close and exit; kills it if it has not exited within 3 s. */
  stop(): Promise<void>;
}

/** Options for {@link spawnServer}. */
export interface SpawnServerOptions {
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: readonly string[];
}

const CHILD_ENTRY = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const STOP_GRACE_MS = 3_000;

/** Forks a server child with the same source conditions as the bench and waits for its ports. */
export async function spawnServer(kind: 'volley' | 'raw', options: SpawnServerOptions = {}): Promise<ServerProcess> {
  const child: ChildProcess = fork(CHILD_ENTRY, [kind], {
    execArgv: ['--conditions=@volley/source', '--import', 'tsx', ...(options.nodeFlags ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ports = await new Promise<ServerPorts>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${kind} server child exited with code ${code} before it was ready`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.once('message', (message) => {
      child.off('exit', onExit);
      child.off('error', reject);
      resolve((message as { ports: ServerPorts }).ports);
    });
  });
  return {
    kind,
    ports,
    pid: child.pid,
    cpuMicros() {
      return new Promise((resolve, reject) => {
        const onMessage = (message: unknown) => {
          const cpu = (message as { cpu?: NodeJS.CpuUsage }).cpu;
          if (cpu === undefined) return;
          child.off('message', onMessage);
          resolve(cpu.user + cpu.system);
        };
        child.on('message', onMessage);
        child.send('cpu', (error) => {
          if (error) {
            child.off('message', onMessage);
            reject(error);
          }
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
      if (child.connected) child.disconnect();
    },
  };
}
