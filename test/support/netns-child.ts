import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Repository root: children resolve `tsx` and the `@volley/source` packages from here. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** How much of a child's stderr to keep for error messages. */
const STDERR_TAIL_CHARS = 4_000;
/** After stdin closes, how long a child may take to exit before it is killed. */
const EXIT_GRACE_MS = 5_000;

/**
 * A Node script running inside a network namespace, spoken to in JSON lines: one value per line
 * on stdin and stdout. Node cannot enter a namespace in-process, so each side of a namespace
 * test is a child of `ip netns exec`; with no namespace (`ns` undefined) the script runs as a
 * plain child process, for tests that must kill a server process. Closing stdin is the signal
 * to exit, so a child whose test process died exits on its own.
 */
export class NetnsChild {
  readonly #child: ChildProcess;
  readonly #lines: string[] = [];
  #waiter: (() => void) | undefined;
  #stderr = '';
  #exit: string | undefined;
  /** Resolves with the exit code (or signal name) once the child is gone. */
  readonly exited: Promise<string>;

  constructor(ns: string | undefined, script: string, args: readonly string[]) {
    const node = [process.execPath, '--conditions=@volley/source', '--import', 'tsx', script, ...args];
    const [command, ...rest] = ns === undefined ? node : ['ip', 'netns', 'exec', ns, ...node];
    this.#child = spawn(command as string, rest, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stdin?.on('error', () => {}); // EPIPE when the child already exited; `exited` tells why.
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      this.#lines.push(line);
      this.#waiter?.();
    });
    this.exited = new Promise((resolve) => {
      this.#child.once('error', (error) => {
        this.#exit = `spawn error: ${error.message}`;
        this.#waiter?.();
        resolve(this.#exit);
      });
      this.#child.once('close', (code, signal) => {
        this.#exit = `exit ${code ?? signal}`;
        this.#waiter?.();
        resolve(this.#exit);
      });
    });
  }

  /** Writes one JSON value as a line on the child's stdin. */
  send(value: unknown): void {
    this.#child.stdin?.write(`${JSON.stringify(value)}\n`);
  }

  /**
   * The next JSON line from the child. Rejects, with the child's stderr, if it exits first or
   * says nothing within `timeoutMs` (a bound on a hang, not a timing check). One reader at a time.
   */
  async next<T>(what: string, timeoutMs: number): Promise<T> {
    const started = performance.now();
    while (this.#lines.length === 0) {
      if (this.#exit !== undefined) throw this.#failure(`${what}: child ended (${this.#exit}) without answering`);
      const left = timeoutMs - (performance.now() - started);
      if (left <= 0) throw this.#failure(`${what}: no answer within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
    const line = this.#lines.shift() as string;
    try {
      return JSON.parse(line) as T;
    } catch {
      throw this.#failure(`${what}: child printed a line that is not JSON: ${line.slice(0, 200)}`);
    }
  }

  /** Sends `signal` (SIGKILL: no cleanup, as a crash) and waits until the child is gone. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.#exit !== undefined) return;
    this.#child.kill(signal);
    await this.exited;
  }

  /** Closes stdin (the child's cue to exit), waits for it, and kills it if it lingers. */
  async close(): Promise<void> {
    if (this.#exit !== undefined) return;
    this.#child.stdin?.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), EXIT_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  #failure(message: string): Error {
    return new Error(this.#stderr ? `${message}\n--- child stderr (tail) ---\n${this.#stderr}` : message);
  }
}
