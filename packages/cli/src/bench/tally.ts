import { isRpcError } from '@volley/wire';
import { LatencyRecorder } from './latency.js';

/** Failed calls that share an error code, with the message of the first one. */
export interface ErrorGroup {
  count: number;
  readonly sample: string;
}

/**
 * The counts of a running benchmark: calls, successes, failures grouped by error code, and the
 * latency of every call, failed ones too (a timeout is time a caller waited). Read live by the
 * progress line, and at the end by the report.
 */
export class LoadTally {
  readonly latency = new LatencyRecorder();
  readonly #errors = new Map<string, ErrorGroup>();
  #ok = 0;
  #failed = 0;

  /** Calls finished, successful or not. */
  get calls(): number {
    return this.#ok + this.#failed;
  }

  get ok(): number {
    return this.#ok;
  }

  get failed(): number {
    return this.#failed;
  }

  /** Failures by error code (RpcError `code`; the error's class name for anything else), in order of first appearance. */
  get errors(): ReadonlyMap<string, Readonly<ErrorGroup>> {
    return this.#errors;
  }

  /** Counts a call that succeeded after `ms` milliseconds. */
  recordOk(ms: number): void {
    this.#ok++;
    this.latency.record(ms);
  }

  /** Counts a call that failed with `error` after `ms` milliseconds. */
  recordError(ms: number, error: unknown): void {
    this.#failed++;
    this.latency.record(ms);
    const code = errorCodeOf(error);
    const group = this.#errors.get(code);
    if (group === undefined) this.#errors.set(code, { count: 1, sample: messageOf(error) });
    else group.count++;
  }
}

/** RpcError codes are SCREAMING_SNAKE; a local bug shows as its class name (`TypeError`), never as a remote code. */
function errorCodeOf(error: unknown): string {
  if (isRpcError(error)) return error.code;
  return error instanceof Error ? error.name : typeof error;
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? '';
}
