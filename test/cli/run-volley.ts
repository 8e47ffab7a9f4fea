import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The real CLI entry point, as `npx volley` runs it. */
export const VOLLEY_BIN = fileURLToPath(new URL('../../packages/cli/bin/volley.js', import.meta.url));

/** What one run of the CLI did. */
export interface VolleyRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawns `volley <args>` as a separate process (the real binary, not the function), optionally
 * feeding `stdin`, and resolves when it exits. Fails the test if it runs past `timeoutMs`.
 */
export function runVolley(
  args: readonly string[],
  options: { stdin?: string; cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<VolleyRun> {
  const child = spawn(process.execPath, [VOLLEY_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(options.stdin ?? '');
  return outcomeOf(child, args, options.timeoutMs, () => child.kill('SIGKILL'));
}

/** A CLI run still going: its process, and its outcome once it exits. */
export interface VolleyProcess {
  /** Delivers `signal` to the CLI's whole process group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void;
  readonly done: Promise<VolleyRun>;
}

/**
 * Spawns `volley <args>` in a process group of its own, so a test can press Ctrl-C on it: the
 * bin (and, in the workspace, the tsx child it starts) receive the signal as from a terminal.
 */
export function startVolley(args: readonly string[], options: { timeoutMs?: number } = {}): VolleyProcess {
  const child = spawn(process.execPath, [VOLLEY_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const done = outcomeOf(child, args, options.timeoutMs, () => process.kill(-(child.pid as number), 'SIGKILL'));
  return { signalGroup: (signal) => process.kill(-(child.pid as number), signal), done };
}

/** Collects a run's output and resolves with it when the process exits; past `timeoutMs`, kills it and rejects. */
function outcomeOf(
  child: ChildProcessByStdio<null | Writable, Readable, Readable>,
  args: readonly string[],
  timeoutMs = 30_000,
  kill: () => void,
): Promise<VolleyRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`volley ${args.join(' ')} ran past ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
