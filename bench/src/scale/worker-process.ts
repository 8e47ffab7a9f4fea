import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/**
 * A child process that the scale suite drives by commands over IPC: the parent sends
 * `{id, command, args}`, the child answers `{id, value}` or `{id, error}`. The child's first
 * message is `{ready}`. Servers and clients each get their own process, so the memory read from a
 * server's /proc entry is the server's alone and the load does not share its event loop.
 */
export interface WorkerProcess<TReady> {
  readonly pid: number;
  /** What the child reported when it was ready (its ports, for a server). */
  readonly ready: TReady;
  call<TValue>(command: string, args?: unknown): Promise<TValue>;
  /** Disconnects (the child exits at once); SIGKILL if it is still there after 3 s. Never throws. */
  stop(): Promise<void>;
}

type ChildMessage = { ready: unknown } | { id: number; value?: unknown; error?: string };
type Settle = { resolve(value: unknown): void; reject(error: Error): void };

/** How the bench runs TypeScript: from source, through tsx (as `npm run bench` does). */
const TSX_EXEC_ARGV = ['--conditions=@volley/source', '--import', 'tsx'];
const STOP_GRACE_MS = 3_000;

/** Forks `entry` and resolves once it reports ready; rejects if it exits first. */
export async function forkWorker<TReady>(
  entry: URL,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Promise<WorkerProcess<TReady>> {
  const name = `${fileURLToPath(entry).split('/').pop()} ${args.join(' ')}`.trim();
  const child: ChildProcess = fork(fileURLToPath(entry), args, {
    execArgv: [...TSX_EXEC_ARGV, ...nodeFlags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, Settle>();
  let nextId = 0;
  let onReady: Settle | undefined;
  const ready = new Promise<unknown>((resolve, reject) => (onReady = { resolve, reject }));

  child.on('message', (message: ChildMessage) => {
    if ('ready' in message) return onReady?.resolve(message.ready);
    const settle = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) settle?.reject(new Error(`${name}: ${message.error}`));
    else settle?.resolve(message.value);
  });
  const fail = (error: Error) => {
    onReady?.reject(error);
    for (const settle of pending.values()) settle.reject(error);
    pending.clear();
  };
  child.on('error', fail);
  child.on('exit', (code, signal) => fail(new Error(`${name} exited (code ${code}, signal ${signal})`)));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    if (child.connected) child.disconnect();
    else child.kill('SIGKILL');
    await exited;
    clearTimeout(timer);
  };

  let readyValue: unknown;
  try {
    readyValue = await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pid: child.pid ?? 0,
    ready: readyValue as TReady,
    call<TValue>(command: string, callArgs?: unknown) {
      const id = nextId++;
      return new Promise<TValue>((resolve, reject) => {
        if (!child.connected) return reject(new Error(`${name} is gone`));
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, command, args: callArgs });
      });
    },
    stop,
  };
}

/** Waits for a fork and adds the worker to `into`, for the caller's cleanup to stop. */
export async function startOne<TWorker extends WorkerProcess<unknown>>(
  fork: Promise<TWorker>,
  into: WorkerProcess<unknown>[],
): Promise<TWorker> {
  const worker = await fork;
  into.push(worker);
  return worker;
}

/**
 * Waits for every fork, adds each worker that started to `into` (so the caller's cleanup stops it
 * even when a sibling failed), then throws the first failure. Results keep the order of `forks`.
 */
export async function startAll<TWorker extends WorkerProcess<unknown>>(
  forks: readonly Promise<TWorker>[],
  into: WorkerProcess<unknown>[],
): Promise<TWorker[]> {
  const settled = await Promise.allSettled(forks);
  for (const outcome of settled) if (outcome.status === 'fulfilled') into.push(outcome.value);
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<TWorker>).value);
}

/** Stops every worker, in parallel; never throws (cleanup must not hide the first failure). */
export async function stopAll(workers: readonly WorkerProcess<unknown>[]): Promise<void> {
  await Promise.allSettled(workers.map((worker) => worker.stop()));
}

/** Child side: answers the parent's commands with `handlers` and exits when the parent goes away. */
export function serveCommands(ready: unknown, handlers: Record<string, (args: any) => unknown>): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('a scale worker must be started with an IPC channel (child_process.fork)');
  process.on('message', async (message: { id: number; command: string; args: unknown }) => {
    const handler = handlers[message.command];
    try {
      if (handler === undefined) throw new Error(`unknown command ${message.command}`);
      send({ id: message.id, value: await handler(message.args) });
    } catch (error) {
      send({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
  // No graceful close: sockets die with the process, and a drain would only add log lines.
  process.on('disconnect', () => process.exit(0));
  send({ ready });
}
