import { HEALTH_PROCEDURE, RpcError } from '@volley/wire';
import type { Logger } from 'pino';
import { type ClientStats, createClientStats } from '../call-options.js';
import type { ClientCore } from '../client-core.js';
import type { DiscoveredEndpoint } from '../discovery/discovery.js';
import { BalancedEndpoint } from './balanced-endpoint.js';
import type { EndpointState } from './endpoint-stats.js';
import type { OutlierDetector } from './outlier-detector.js';
import { pickOfTwo } from './p2c.js';
import { PeakEwma, type PeakEwmaOptions } from './peak-ewma.js';

/** What an {@link EndpointPool} needs from its client. */
export interface PoolSettings {
  /** Builds the engine of a newly found endpoint. */
  createCore(found: DiscoveredEndpoint): ClientCore;
  readonly detector: OutlierDetector;
  readonly load: PeakEwmaOptions;
  /** [0, 1): Math.random, or a seeded generator in tests. */
  readonly random: () => number;
  readonly probeTimeoutMs: number;
  readonly logger: Logger | undefined;
}

/**
 * The endpoints of a balanced client and their health: endpoints come and go with discovery, each
 * is probed with `$health` before it takes calls, the picker chooses among the ready ones by power
 * of two choices on peak-EWMA cost, and the outlier detector ejects failing ones for a backoff
 * that grows on repeat, after which they are probed again. Nothing here sends a user's call.
 */
export class EndpointPool {
  readonly #settings: PoolSettings;
  readonly #endpoints = new Map<string, BalancedEndpoint>();
  /** The same endpoints as an array, for the per-call pick (no iterator per call). */
  #list: BalancedEndpoint[] = [];
  /** Counters of endpoints that were removed and closed, so the client's totals never go down. */
  readonly #retired: ClientStats = createClientStats();
  /** Calls waiting for an endpoint to become ready; woken on every change. */
  readonly #waiters = new Set<() => void>();
  readonly #windowTimer: NodeJS.Timeout;
  /**
   * At start, until every endpoint's first probe answered (or briefly after the first did): calls
   * wait, so that the ones queued meanwhile spread over the endpoints instead of all going to
   * whichever answered first. Never again once over.
   */
  #starting = true;
  /** {@link #choose}'s scratch: the candidates of one pick, and the time it costs them at. */
  readonly #candidates: BalancedEndpoint[] = [];
  #now = 0;
  #startTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(settings: PoolSettings) {
    this.#settings = settings;
    this.#windowTimer = setInterval(() => this.#endWindow(), settings.detector.intervalMs);
    this.#windowTimer.unref();
  }

  get size(): number {
    return this.#endpoints.size;
  }

  /** True while some endpoint's first probe (or a re-admission probe) has not answered. */
  get probing(): boolean {
    for (const endpoint of this.#endpoints.values()) if (endpoint.state === 'probing') return true;
    return false;
  }

  endpoints(): IterableIterator<BalancedEndpoint> {
    return this.#endpoints.values();
  }

  /** Every endpoint core's counters, removed ones included. */
  *coreStats(): Generator<ClientStats> {
    yield this.#retired;
    for (const endpoint of this.#endpoints.values()) yield endpoint.core.stats;
  }

  /** Discovery's current answer: endpoints it no longer lists are drained, new ones probed. */
  update(found: readonly DiscoveredEndpoint[]): void {
    if (this.#closed) return;
    const keys = new Set(found.map((entry) => entry.key));
    for (const endpoint of this.#endpoints.values()) {
      if (keys.has(endpoint.key) || endpoint.state === 'removed') continue;
      endpoint.state = 'removed';
      clearTimeout(endpoint.timer);
      this.#settings.logger?.info({ endpoint: endpoint.url }, 'endpoint gone from discovery: draining it');
      this.#closeIfDrained(endpoint);
    }
    for (const entry of found) {
      const known = this.#endpoints.get(entry.key);
      if (known === undefined) {
        const endpoint = new BalancedEndpoint(
          entry,
          this.#settings.createCore(entry),
          new PeakEwma(this.#settings.load, performance.now()),
        );
        this.#endpoints.set(entry.key, endpoint);
        this.#list = [...this.#endpoints.values()];
        this.#probe(endpoint);
      } else {
        known.priority = entry.priority;
        known.weight = entry.weight;
        if (known.state === 'removed') this.#probe(known);
      }
    }
    this.#wake();
  }

  /**
   * Takes a ready endpoint for the next attempt, preferring ones not in `avoid` (already tried by
   * this call): among the best SRV priority present, two drawn at random, the cheaper taken (cost
   * is peak-EWMA round trip × (outstanding + 1) ÷ SRV weight). The attempt counts as outstanding
   * from here, so calls picking in the same turn see each other. Undefined when none is ready;
   * the caller reports the attempt's end with {@link finish}.
   */
  take(avoid: ReadonlySet<BalancedEndpoint> | undefined): BalancedEndpoint | undefined {
    if (this.#starting) return undefined;
    return this.#started(
      (avoid === undefined ? undefined : this.#choose('ready', avoid)) ?? this.#choose('ready', undefined),
    );
  }

  /**
   * With none ready and none still on its first probe: takes an ejected endpoint all the same,
   * since never ejecting all of them is the rule (Envoy's panic mode). Undefined when there is none.
   */
  takeAnyway(): BalancedEndpoint | undefined {
    if (this.#starting) return undefined;
    return this.#started(this.#choose('ejected', undefined));
  }

  /** Gives back an endpoint taken for a notification, which has no outcome to weigh. */
  release(endpoint: BalancedEndpoint): void {
    endpoint.calls--;
    endpoint.load.finish(0, performance.now(), false);
    this.#closeIfDrained(endpoint);
  }

  /** True when an endpoint other than `endpoint` could take the call now. */
  hasOtherReady(endpoint: BalancedEndpoint): boolean {
    for (const other of this.#list) if (other !== endpoint && other.state === 'ready') return true;
    return false;
  }

  /** Resolves at the next change of endpoints or their states. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.add(resolve));
  }

  #started(endpoint: BalancedEndpoint | undefined): BalancedEndpoint | undefined {
    if (endpoint === undefined) return undefined;
    endpoint.calls++;
    endpoint.load.start();
    return endpoint;
  }

  /** An attempt sent to `endpoint` at `startedAt` settled, with `error` or without. */
  finish(endpoint: BalancedEndpoint, startedAt: number, error: unknown): void {
    const now = performance.now();
    const local = error instanceof RpcError && error.local;
    // Any answer from the server measures its round trip; a local failure measures nothing.
    endpoint.load.finish(now - startedAt, now, error === undefined || !local);
    if (error instanceof RpcError && error.code === 'CANCELLED') {
      this.#closeIfDrained(endpoint);
      return;
    }
    const failed = error instanceof RpcError && countsAgainst(error);
    if (failed) endpoint.failures++;
    // A draining server says it will run nothing more: one refusal is enough.
    const refused = failed && !local && (error as RpcError).notExecuted;
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
    this.#closeIfDrained(endpoint);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#windowTimer);
    clearTimeout(this.#startTimer);
    for (const endpoint of this.#endpoints.values()) {
      clearTimeout(endpoint.timer);
      void endpoint.core.close();
    }
    this.#wake();
  }

  /**
   * Power of two choices among the endpoints in `state` and not in `avoid`, at the best priority
   * present. On every call's path: one pass, no allocation (the candidate list is reused).
   */
  #choose(state: EndpointState, avoid: ReadonlySet<BalancedEndpoint> | undefined): BalancedEndpoint | undefined {
    const candidates = this.#candidates;
    candidates.length = 0;
    let best = Number.POSITIVE_INFINITY;
    for (const endpoint of this.#list) {
      if (endpoint.state !== state || avoid?.has(endpoint) === true || endpoint.priority > best) continue;
      if (endpoint.priority < best) {
        best = endpoint.priority;
        candidates.length = 0;
      }
      candidates.push(endpoint);
    }
    if (candidates.length <= 1) return candidates.pop();
    this.#now = performance.now();
    const chosen = candidates[pickOfTwo(candidates.length, this.#costOf, this.#settings.random)];
    candidates.length = 0;
    return chosen;
  }

  /** Cost of candidate `k` at {@link #now}: peak-EWMA round trip × (outstanding + 1) ÷ SRV weight. */
  readonly #costOf = (k: number): number => {
    const candidate = this.#candidates[k] as BalancedEndpoint;
    return candidate.load.cost(this.#now) / Math.max(candidate.weight, 1);
  };

  /** True when an endpoint other than `endpoint` takes calls and its last one did not fail. */
  #anotherAnswering(endpoint: BalancedEndpoint): boolean {
    for (const other of this.#endpoints.values())
      if (other !== endpoint && other.state === 'ready' && other.consecutiveFailures === 0) return true;
    return false;
  }

  /** Endpoints that count for the ejection cap: every one not removed. */
  #live(): BalancedEndpoint[] {
    return [...this.#endpoints.values()].filter((endpoint) => endpoint.state !== 'removed');
  }

  /** Asks the endpoint's `$health`: any answer from the server but "draining" admits it. */
  #probe(endpoint: BalancedEndpoint): void {
    endpoint.state = 'probing';
    endpoint.timer = undefined;
    const startedAt = performance.now();
    endpoint.core.call(HEALTH_PROCEDURE, undefined, { timeoutMs: this.#settings.probeTimeoutMs }).then(
      (report) => {
        if (this.#starting) this.#startSettling(performance.now() - startedAt);
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
   * The first probe answered after `rttMs`: the others get three times that (at least 10 ms) to answer
   * too before calls go out; a dead endpoint delays the first calls by that much, once.
   */
  #startSettling(rttMs: number): void {
    if (this.#startTimer !== undefined) return;
    this.#startTimer = setTimeout(() => this.#endStart(), Math.max(10, 3 * rttMs));
    this.#startTimer.unref();
  }

  #endStart(): void {
    if (!this.#starting) return;
    this.#starting = false;
    clearTimeout(this.#startTimer);
    this.#wake();
  }

  #admit(endpoint: BalancedEndpoint, why: string): void {
    if (this.#closed || endpoint.state === 'removed' || endpoint.state === 'ready') return;
    clearTimeout(endpoint.timer);
    endpoint.timer = undefined;
    if (endpoint.ejected) this.#settings.logger?.info({ endpoint: endpoint.url, why }, 'endpoint back in rotation');
    endpoint.state = 'ready';
    endpoint.ejected = false;
    endpoint.consecutiveFailures = 0;
    this.#wake();
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
    endpoint.timer = setTimeout(() => this.#probe(endpoint), ms);
    endpoint.timer.unref();
    this.#wake();
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

  #closeIfDrained(endpoint: BalancedEndpoint): void {
    if (endpoint.state !== 'removed' || endpoint.load.outstanding > 0) return;
    if (this.#endpoints.get(endpoint.key) !== endpoint) return;
    this.#endpoints.delete(endpoint.key);
    this.#list = [...this.#endpoints.values()];
    void endpoint.core.close().then(() => addStats(this.#retired, endpoint.core.stats));
  }

  /** Lets waiting calls look again (discovery failed: they may now fail with its error). */
  wakeWaiters(): void {
    this.#wake();
  }

  #wake(): void {
    if (this.#starting && this.#endpoints.size > 0 && !this.probing) this.#starting = false;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}

/**
 * Failures that say something about the endpoint rather than the call: it is unreachable, refusing,
 * or too slow to answer within the deadline (whichever side noticed first).
 */
function countsAgainst(error: RpcError): boolean {
  return error.code === 'UNAVAILABLE' || error.code === 'DEADLINE_EXCEEDED';
}

function addStats(into: ClientStats, from: ClientStats): void {
  for (const key of Object.keys(into) as (keyof ClientStats)[]) {
    const value = from[key];
    if (typeof value === 'number') (into[key] as number) += value;
  }
}
