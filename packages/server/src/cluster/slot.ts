import type { Worker } from 'node:cluster';
import type { Logger } from '@volley/router';
import type { ListeningAddresses } from '../listen-options.js';
import type { ClusterWorkerInfo } from './cluster-options.js';
import { type DrainOrder, isVolleyMessage, type WorkerAssignment, type WorkerReport } from './cluster-protocol.js';
import { RestartBackoff } from './restart-backoff.js';

/**
 * One worker position of a cluster (worker 1 … N), held by one process at a time: the first,
 * then each replacement. It forks, waits for the worker's report, replaces it when it dies
 * (after the backoff) and drains it on request.
 *
 *   start ─▶ forked ─▶ listening ──exit──▶ (backoff) ─▶ forked …
 *               └─ listen-failed: killed ──exit──▶ (backoff) …      drain ─▶ exit ─▶ empty
 */
export class Slot {
  readonly #assignment: WorkerAssignment;
  readonly #fork: () => Worker;
  readonly #logger: Logger;
  readonly #backoff = new RestartBackoff();
  #worker: Worker | undefined;
  #startedAt = 0;
  #incarnation: number | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #draining = false;
  /** Called when the slot's process exits; unless `draining`, the owner decides to restart. */
  onExit: (worker: Worker, code: number | null, signal: string | null, draining: boolean) => void = () => {};
  /** Called when a replacement is forked. */
  onRestart: () => void = () => {};

  constructor(assignment: WorkerAssignment, fork: () => Worker, logger: Logger) {
    this.#assignment = assignment;
    this.#fork = fork;
    this.#logger = logger;
  }

  get id(): number {
    return this.#assignment.id;
  }

  get worker(): Worker | undefined {
    return this.#worker;
  }

  get info(): ClusterWorkerInfo | undefined {
    const pid = this.#worker?.process.pid;
    if (pid === undefined) return undefined;
    const { id, count, udp } = this.#assignment;
    return { id, count, pid, incarnation: this.#incarnation, udp };
  }

  /** Forks the slot's process; resolves once it listens, rejects if it cannot or dies first. */
  start(): Promise<ListeningAddresses> {
    const worker = this.#fork();
    this.#worker = worker;
    this.#startedAt = performance.now();
    this.#incarnation = undefined;
    return new Promise((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (!isVolleyMessage<WorkerReport>(message)) return;
        if (message.volley === 'listening') {
          this.#incarnation = message.incarnation;
          resolve(message.addresses);
        } else if (message.volley === 'listen-failed') {
          // Failed to bind: useless, and the user's code may not exit on its own.
          worker.process.kill('SIGKILL');
          reject(Object.assign(new Error(message.message), { code: message.code }));
        }
      });
      worker.once('exit', (code, signal) => {
        if (this.#worker === worker) this.#worker = undefined;
        reject(new Error(`worker ${this.id} exited (${signal ?? code}) before it listened`));
        this.onExit(worker, code, signal, this.#draining);
      });
    });
  }

  /** Schedules a replacement after the backoff; returns the delay. */
  scheduleRestart(): number {
    const delayMs = this.#backoff.next(performance.now() - this.#startedAt);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#draining) return;
      this.onRestart();
      this.start().then(
        () => this.#logger.info({ worker: this.id, pid: this.#worker?.process.pid }, 'replacement worker listening'),
        (error: Error) => this.#logger.error({ worker: this.id, err: error }, 'replacement worker failed to start'),
      );
    }, delayMs);
    return delayMs;
  }

  /** Tells the process to drain; kills it if it has not exited after `stopTimeoutMs`. No restart after this. */
  drain(graceMs: number | undefined, stopTimeoutMs: number): void {
    this.#draining = true;
    clearTimeout(this.#restartTimer);
    const worker = this.#worker;
    if (worker === undefined) return;
    const order: DrainOrder = { volley: 'drain', ...(graceMs !== undefined && { graceMs }) };
    if (worker.isConnected()) worker.send(order);
    const killer = setTimeout(() => {
      this.#logger.warn({ worker: this.id, pid: worker.process.pid, stopTimeoutMs }, 'worker still up: killing it');
      worker.process.kill('SIGKILL');
    }, stopTimeoutMs);
    worker.once('exit', () => clearTimeout(killer));
  }

  /** Kills the process at once (a failed start), with no restart. */
  kill(): void {
    this.#draining = true;
    clearTimeout(this.#restartTimer);
    this.#worker?.process.kill('SIGKILL');
  }
}
