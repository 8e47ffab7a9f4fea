import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { CHILD_EXEC_ARGV, CHILD_STOP_GRACE_MS } from './constants.js';

/** Forks a bench child from TypeScript source (same conditions as the parent), stdout/stderr shared, IPC on. */
export function forkChild(entry: URL, args: readonly string[], nodeFlags: readonly string[] = []): ChildProcess {
  return fork(entry, [...args], {
    execArgv: [...CHILD_EXEC_ARGV, ...nodeFlags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * The child's next IPC message that `accept` takes (returns non-undefined for), rejecting if the
 * child exits first or nothing comes within `timeoutMs` (a hung system must not hang the bench).
 */
export function nextMessage<T>(
  child: ChildProcess,
  timeoutMs: number,
  accept: (message: unknown) => T | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown): void => {
      const accepted = accept(message);
      if (accepted === undefined) return;
      cleanup();
      resolve(accepted);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`child exited (${signal ?? `code ${code}`}) before answering`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no answer from the child within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Asks a child to finish with `message`; SIGKILLs it if it has not exited within the grace period. */
export async function stopChild(child: ChildProcess, message: unknown): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.send(message as string, () => {});
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
