import { HEALTH_PROCEDURE, RpcError } from '@volley/wire';
import type { Logger } from 'pino';
import type { BalancedEndpoint } from './balanced-endpoint.js';
import type { OutlierDetector } from './outlier-detector.js';

/** What {@link EndpointHealth} needs to probe and eject. */
export interface HealthSettings {
  readonly detector: OutlierDetector;
  readonly probeTimeoutMs: number;
  readonly logger: Logger | undefined;
}

/** What {@link EndpointHealth} reads from and tells the pool that holds the endpoints. */
export interface HealthHost {
  /** Every endpoint the pool holds, removed ones included. */
  endpoints(): Iterable<BalancedEndpoint>;
  /** A probe answered after `rttMs` (before the endpoint is admitted or ejected for it). */
  probeAnswered(rttMs: number): void;
  /** An endpoint changed state: calls waiting for one may look again. */
  changed(): void;
}

/**
 * The health half of a balanced client's endpoints: probes each with `$health` before it takes
 * calls, weighs each attempt's outcome with the outlier detector, ejects failing endpoints for a
 * backoff that grows on repeat and probes them again when it ends. Which endpoints exist, and
 * which one a call takes, is the pool's ({@link EndpointPool}).
 */
export class EndpointHealth {
  readonly #settings: HealthSettings;
  readonly #host: HealthHost;
  readonly #windowTimer: NodeJS.Timeout;
  #closed = false;

  constructor(settings: HealthSettings, host: HealthHost) {
    this.#settings = settings;
    this.#host = host;
    this.#windowTimer = setInterval(() => this.#endWindow(), settings.detector.intervalMs);
    this.#windowTimer.unref();
  }

  /** Asks the endpoint's `$health`: any answer from the server but "draining" admits it. */
  probe(endpoint: BalancedEndpoint): void {
    endpoint.state = 'probing';
    endpoint.timer = undefined;
    const startedAt = performance.now();
    endpoint.core.call(HEALTH_PROCEDURE, undefined, { timeoutMs: this.#settings.probeTimeoutMs }).then(
      (report) => {
        this.#host.probeAnswered(performance.now() - startedAt);
        if ((report as { status?: unknown } | undefined)?.status === 'draining') this.#failProbe(endpoint, 'draining');
        else this.#admit(endpoint, 'probe answered');
      },
      (error: unknown) => {
        // An error the server sent (NOT_FOUND where `$health` is off, UNAUTHENTICATED…) still proves it is there.
        if (error instanceof RpcError && !error.local && error.code !== 'UNAVAILABLE')
          this.#admit(endpoint, 'probe answered');
        else this.#failProbe(endpoint, (error as Error).message);
      },
    );
  }

  /**
   * An attempt on `endpoint` settled with `error` (or without): counts a failure against it,
   * admits it again if it answered while ejected, and ejects it when the detector says so.
   * Cancellations are the caller's doing and never come here.
   */
  record(endpoint: BalancedEndpoint, error: unknown): void {
    const failed = error instanceof RpcError && countsAgainst(error);
    if (failed) endpoint.failures++;
    // A draining server says it will run nothing more: one refusal is enough.
    const refused = failed && !(error as RpcError).local && (error as RpcError).notExecuted;
    if (!failed && endpoint.state === 'ejected') this.#admit(endpoint, 'answered while ejected');
    if (
      this.#settings.detector.record(endpoint, failed, refused) &&
      endpoint.state === 'ready' &&
      this.#settings.detector.mayEject(this.#live(), this.#anotherAnswering(endpoint))
    )
      this.#eject(
        endpoint,
        refused ? 'refused a call (draining)' : `${endpoint.consecutiveFailures} failures in a row`,
      );
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#windowTimer);
  }

  #admit(endpoint: BalancedEndpoint, why: string): void {
    if (this.#closed || endpoint.state === 'removed' || endpoint.state === 'ready') return;
    clearTimeout(endpoint.timer);
    endpoint.timer = undefined;
    if (endpoint.ejected) this.#settings.logger?.info({ endpoint: endpoint.url, why }, 'endpoint back in rotation');
    endpoint.state = 'ready';
    endpoint.ejected = false;
    endpoint.consecutiveFailures = 0;
    this.#host.changed();
  }

  #failProbe(endpoint: BalancedEndpoint, why: string): void {
    if (this.#closed || endpoint.state !== 'probing') return;
    this.#eject(endpoint, `probe failed: ${why}`);
  }

  #eject(endpoint: BalancedEndpoint, why: string): void {
    const ms = this.#settings.detector.ejectionMs(endpoint);
    endpoint.state = 'ejected';
    endpoint.ejected = true;
    endpoint.ejections++;
    endpoint.timesEjected++;
    this.#settings.logger?.info({ endpoint: endpoint.url, why, ejectedForMs: ms }, 'endpoint ejected');
    clearTimeout(endpoint.timer);
    endpoint.timer = setTimeout(() => this.probe(endpoint), ms);
    endpoint.timer.unref();
    this.#host.changed();
  }

  /** Ends a failure-rate window: ejects the outliers the cap allows; forgives past ejections of endpoints that stayed well. */
  #endWindow(): void {
    const live = this.#live();
    for (const endpoint of live)
      if (endpoint.state === 'ready' && endpoint.windowFailures === 0 && endpoint.timesEjected > 0)
        endpoint.timesEjected--;
    for (const outlier of this.#settings.detector.rateOutliers(live)) {
      if (outlier.state !== 'ready' || !this.#settings.detector.mayEject(live)) continue;
      this.#eject(outlier, 'failure rate far above its peers');
    }
  }

  /** True when an endpoint other than `endpoint` takes calls and its last one did not fail. */
  #anotherAnswering(endpoint: BalancedEndpoint): boolean {
    for (const other of this.#host.endpoints())
      if (other !== endpoint && other.state === 'ready' && other.consecutiveFailures === 0) return true;
    return false;
  }

  /** Endpoints that count for the ejection cap: every one not removed. */
  #live(): BalancedEndpoint[] {
    return [...this.#host.endpoints()].filter((endpoint) => endpoint.state !== 'removed');
  }
}

/**
 * Failures that say something about the endpoint rather than the call: it is unreachable, refusing,
 * or too slow to answer within the deadline (whichever side noticed first).
 */
function countsAgainst(error: RpcError): boolean {
  return error.code === 'UNAVAILABLE' || error.code === 'DEADLINE_EXCEEDED';
}
