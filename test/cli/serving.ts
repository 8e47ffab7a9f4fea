import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { VOLLEY_BIN } from './run-volley.js';

/** A `volley serve` process, serving. */
export interface Serving {
  readonly child: ChildProcessWithoutNullStreams;
  /** The "serving" log line: `udp`, `tcp` and `metrics` URLs, as logged. */
  readonly line: Readonly<Record<string, unknown>>;
  readonly udpPort: number;
  readonly tcpPort: number;
  /** The `--metrics` endpoint's URL, when the flag was given. */
  readonly metricsUrl: string | undefined;
  readonly exited: Promise<number | null>;
  /** SIGKILL to its whole process group (the workspace bin runs tsx in a child): for afterEach. */
  kill(): void;
}

/**
 * Spawns `volley serve <args>` in a process group of its own and resolves once it logs its
 * "serving" line; rejects with its output if it exits first or logs none within `timeoutMs`.
 */
export async function startServing(args: readonly string[], timeoutMs = 30_000): Promise<Serving> {
  const child = spawn(process.execPath, [VOLLEY_BIN, 'serve', ...args], { stdio: 'pipe', detached: true });
  const kill = () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {} // ESRCH: the whole group is gone already
  };
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  try {
    const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "serving" line in ${timeoutMs} ms`)), timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const serving = stdout.split('\n').find((text) => text.includes('"msg":"serving'));
        if (serving === undefined) return;
        clearTimeout(timer);
        resolve(JSON.parse(serving) as Record<string, unknown>);
      });
      void exited.then((code) => reject(new Error(`volley serve exited ${code}`)));
    });
    const portOf = (url: unknown) => (typeof url === 'string' ? Number(new URL(url).port) : 0);
    return {
      child,
      line,
      udpPort: portOf(line.udp),
      tcpPort: portOf(line.tcp),
      metricsUrl: typeof line.metrics === 'string' ? line.metrics : undefined,
      exited,
      kill,
    };
  } catch (error) {
    kill();
    throw new Error(`${(error as Error).message}\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
}
