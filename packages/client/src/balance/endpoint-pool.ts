import { RpcError } from '@volley/wire';
import { type ClientStats, createClientStats } from '../call-options.js';
import type { ClientCore } from '../client-core.js';
import type { DiscoveredEndpoint } from '../discovery/discovery.js';
import { BalancedEndpoint } from './balanced-endpoint.js';
import { EndpointHealth, type HealthSettings } from './endpoint-health.js';
import type { EndpointState } from './endpoint-stats.js';
import { pickOfTwo } from './p2c.js';
import { PeakEwma, type PeakEwmaOptions } from './peak-ewma.js';

/** What an {@link EndpointPool} needs from its client. */
export interface PoolSettings extends HealthSettings {
  /** Builds the engine of a newly found endpoint. */
  createCore(found: DiscoveredEndpoint): ClientCore;
  readonly load: PeakEwmaOptions;
  /** [0, 1): Math.random, or a seeded generator in tests. */
  readonly random: () => number;
}

/**
 * The endpoints of a balanced client: endpoints come and go with discovery, each is probed with
 * `$health` before it takes calls and ejected while failing ({@link EndpointHealth}), and the
 * picker chooses among the ready ones by power of two choices on peak-EWMA cost. Nothing here
 * sends a user's call.
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
  readonly #health: EndpointHealth;
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
    this.#health = new EndpointHealth(settings, {
      endpoints: () => this.#endpoints.values(),
      probeAnswered: (rttMs) => {
        if (this.#starting) this.#startSettling(rttMs);
      },
      changed: () => this.#wake(),
    });
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
        this.#health.probe(endpoint);
      } else {
        known.priority = entry.priority;
        known.weight = entry.weight;
        if (known.state === 'removed') this.#health.probe(known);
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
    this.#health.record(endpoint, error);
    this.#closeIfDrained(endpoint);
  }

  close(): void {
    this.#closed = true;
    this.#health.close();
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

function addStats(into: ClientStats, from: ClientStats): void {
  for (const key of Object.keys(into) as (keyof ClientStats)[]) {
    const value = from[key];
    if (typeof value === 'number') (into[key] as number) += value;
  }
}
