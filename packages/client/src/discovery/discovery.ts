import type { Endpoint } from '../endpoint.js';
import type { DnsResolver, Resolution } from './dns-resolver.js';
import { addressEndpoint, type Target } from './target.js';

/** One instance found for a client: where it is, and how DNS ranks it. */
export interface DiscoveredEndpoint {
  /** The endpoint's URL, its identity while it stays in the records. */
  readonly key: string;
  readonly endpoint: Endpoint;
  /** The host name it was found by (a TLS certificate must carry it); undefined for a literal. */
  readonly name: string | undefined;
  /** SRV priority: lower is preferred; 0 for everything else. */
  readonly priority: number;
  /** SRV weight among one priority; 1 for everything else. */
  readonly weight: number;
}

/** What a {@link Discovery} tells its owner. */
export interface DiscoveryEvents {
  /** The full set of endpoints, after any target's answer changed (or first arrived). */
  onEndpoints(endpoints: DiscoveredEndpoint[]): void;
  /** A target could not be resolved; its last good answer, if any, stays in use. */
  onError(error: Error, target: Target): void;
}

/** The resolver's two questions (a {@link DnsResolver}, or a stand-in in tests). */
export type Resolve = Pick<DnsResolver, 'resolveHost' | 'resolveSrv'>;

/** One target's latest answer and its re-resolution timer. */
interface Slot {
  readonly target: Target;
  endpoints: DiscoveredEndpoint[] | undefined;
  timer: NodeJS.Timeout | undefined;
  resolving: boolean;
  /** Failures in a row: the retry waits double with each, up to the refresh interval. */
  failures: number;
}

/**
 * Keeps a client's set of endpoints current: resolves every target, re-resolves each when its
 * answer's TTL runs out (within the resolver's bounds), and reports the union whenever it changes.
 * A failed resolution keeps the target's last good answer (as grpc-js does): a DNS hiccup must not
 * empty a healthy client. Timers are unref'd: discovery never keeps a process alive.
 */
export class Discovery {
  readonly #slots: Slot[];
  readonly #resolver: Resolve;
  readonly #events: DiscoveryEvents;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  #closed = false;

  /** A failed resolution is retried after `retryMs`, doubling per failure up to `maxRetryMs`. */
  constructor(
    targets: readonly Target[],
    resolver: Resolve,
    events: DiscoveryEvents,
    retry: { retryMs: number; maxRetryMs: number },
  ) {
    this.#slots = targets.map((target) => ({
      target,
      endpoints: undefined,
      timer: undefined,
      resolving: false,
      failures: 0,
    }));
    this.#resolver = resolver;
    this.#events = events;
    this.#retryMs = retry.retryMs;
    this.#maxRetryMs = retry.maxRetryMs;
  }

  /** True once every target has answered or failed at least once. */
  get settled(): boolean {
    return this.#slots.every((slot) => slot.endpoints !== undefined || slot.timer !== undefined);
  }

  /** Resolves every target now. */
  start(): void {
    for (const slot of this.#slots) void this.#resolve(slot);
  }

  /** Resolves again now the targets that need DNS (every endpoint failing may mean they moved). */
  refresh(): void {
    for (const slot of this.#slots) if (slot.target.kind !== 'endpoint' && !slot.resolving) void this.#resolve(slot);
  }

  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) clearTimeout(slot.timer);
  }

  async #resolve(slot: Slot): Promise<void> {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.resolving = true;
    let delayMs: number;
    try {
      const { endpoints, ttlMs } = await this.#answer(slot.target);
      if (this.#closed) return;
      const changed = !sameKeys(slot.endpoints, endpoints);
      slot.endpoints = endpoints;
      slot.failures = 0;
      delayMs = ttlMs;
      if (changed) this.#events.onEndpoints(this.#union());
    } catch (error) {
      if (this.#closed) return;
      delayMs = Math.min(this.#maxRetryMs, this.#retryMs * 2 ** Math.min(slot.failures, 20));
      slot.failures++;
      this.#events.onError(error as Error, slot.target);
    } finally {
      slot.resolving = false;
    }
    if (slot.target.kind === 'endpoint') return;
    slot.timer = setTimeout(() => void this.#resolve(slot), delayMs);
    slot.timer.unref();
  }

  async #answer(target: Target): Promise<{ endpoints: DiscoveredEndpoint[]; ttlMs: number }> {
    if (target.kind === 'endpoint') {
      const { endpoint } = target;
      return { endpoints: [{ key: endpoint.url, endpoint, name: undefined, priority: 0, weight: 1 }], ttlMs: 0 };
    }
    const resolution: Resolution =
      target.kind === 'host'
        ? await this.#resolver.resolveHost(target.host, target.port)
        : await this.#resolver.resolveSrv(target.name);
    const endpoints = resolution.endpoints.map((found) => {
      const endpoint = addressEndpoint(target.transport, found.host, found.port);
      const name = found.target ?? (target.kind === 'host' ? target.host : undefined);
      return { key: endpoint.url, endpoint, name, priority: found.priority, weight: found.weight };
    });
    return { endpoints, ttlMs: resolution.ttlMs };
  }

  /** Every target's endpoints, each address once (at its best priority). */
  #union(): DiscoveredEndpoint[] {
    const byKey = new Map<string, DiscoveredEndpoint>();
    for (const slot of this.#slots) {
      for (const found of slot.endpoints ?? []) {
        const known = byKey.get(found.key);
        if (known === undefined || found.priority < known.priority) byKey.set(found.key, found);
      }
    }
    return [...byKey.values()];
  }
}

function sameKeys(before: DiscoveredEndpoint[] | undefined, after: DiscoveredEndpoint[]): boolean {
  if (before === undefined || before.length !== after.length) return false;
  const keys = new Set(before.map((found) => `${found.key} ${found.priority} ${found.weight}`));
  return after.every((found) => keys.has(`${found.key} ${found.priority} ${found.weight}`));
}
