import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { RpcError } from '@volley/wire';
import { DEFAULT_DNS_MAX_TTL_MS, DEFAULT_DNS_MIN_TTL_MS, DEFAULT_DNS_REFRESH_MS } from '../constants.js';

/** One instance a name resolved to. */
export interface ResolvedEndpoint {
  /** An IPv4 or IPv6 address. */
  readonly host: string;
  readonly port: number;
  /** SRV priority (lower is preferred); 0 for A/AAAA records. */
  readonly priority: number;
  /** SRV weight among endpoints of one priority; 1 for A/AAAA records. */
  readonly weight: number;
  /** The SRV record's target host name, which a TLS certificate of that instance carries. */
  readonly target?: string;
}

/** What a name resolved to, and how long that answer may be trusted. */
export interface Resolution {
  readonly endpoints: ResolvedEndpoint[];
  /** When to resolve again: the records' smallest TTL, within the resolver's bounds (ms). */
  readonly ttlMs: number;
}

/** Settings of a {@link DnsResolver}. */
export interface DnsResolverOptions {
  /** DNS servers to ask (`'10.0.0.2'`, `'127.0.0.1:5353'`); default the system's. */
  readonly servers?: readonly string[];
  /** Re-resolve no sooner than this, whatever the TTL says (ms). Default 1 s. */
  readonly minTtlMs?: number;
  /** Re-resolve at least this often, whatever the TTL says (ms). Default 5 min. */
  readonly maxTtlMs?: number;
  /** Re-resolve interval when the answer carries no TTL Node can read (SRV, the system's lookup). Default 30 s. */
  readonly refreshMs?: number;
}

/**
 * Names the operating system answers better than DNS does: `localhost` and its subdomains (RFC
 * 6761 keeps them off the network) and single-label names, which only the system applies its
 * search domains to (a Kubernetes pod's `kv` is `kv.default.svc.cluster.local`).
 */
function isSystemName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || !name.includes('.');
}

/** DNS answers meaning "this name has no records of that type", as opposed to a failure to ask. */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND']);

/**
 * Finds a service's instances the way Kubernetes headless Services and Consul publish them: a
 * name's A and AAAA records (every address, one port), or an SRV name's records (host, port,
 * priority, weight), each SRV target resolved to its addresses in turn.
 *
 * Node returns TTLs for A and AAAA records but not for SRV: an SRV answer is trusted for the
 * smallest TTL of its targets' addresses, and at most `refreshMs`. Failures reject with
 * `UNAVAILABLE` (not executed): nothing was sent to any instance.
 *
 * Without `servers`, a host name is first asked of the system's DNS servers (for its TTL), and
 * looked up as every other program does (`getaddrinfo`: /etc/hosts, search domains) when DNS has
 * no answer, and directly for `localhost` and single-label names; such an answer is trusted for
 * `refreshMs`. With `servers`, only those servers are asked.
 *
 * @example
 * const dns = new DnsResolver({ servers: ['127.0.0.1:5353'] });
 * const { endpoints, ttlMs } = await dns.resolveSrv('_kv._udp.example.internal');
 */
export class DnsResolver {
  /** Short timeouts: a DNS server that does not answer must not hold the first call for long. */
  readonly #resolver = new Resolver({ timeout: 1_000, tries: 2 });
  /** No servers were given: the system's resolution applies, /etc/hosts and search domains included. */
  readonly #system: boolean;
  readonly #minTtlMs: number;
  readonly #maxTtlMs: number;
  readonly #refreshMs: number;

  constructor(options: DnsResolverOptions = {}) {
    this.#system = options.servers === undefined;
    if (options.servers !== undefined) this.#resolver.setServers([...options.servers]);
    this.#minTtlMs = options.minTtlMs ?? DEFAULT_DNS_MIN_TTL_MS;
    this.#maxTtlMs = options.maxTtlMs ?? DEFAULT_DNS_MAX_TTL_MS;
    this.#refreshMs = options.refreshMs ?? DEFAULT_DNS_REFRESH_MS;
  }

  /** Every address of `name` (A and AAAA), each with `port`; an IP literal resolves to itself. */
  async resolveHost(name: string, port: number): Promise<Resolution> {
    if (isIP(name) !== 0) return { endpoints: [{ host: name, port, priority: 0, weight: 1 }], ttlMs: this.#maxTtlMs };
    if (this.#system && isSystemName(name)) return this.#lookup(name, port);
    let records: { address: string; ttl: number }[];
    try {
      const [v4, v6] = await Promise.all([
        this.#records(() => this.#resolver.resolve4(name, { ttl: true }), name, 'A'),
        this.#records(() => this.#resolver.resolve6(name, { ttl: true }), name, 'AAAA'),
      ]);
      records = [...v4, ...v6];
    } catch (error) {
      if (this.#system) return this.#lookup(name, port);
      throw error;
    }
    if (records.length === 0) {
      if (this.#system) return this.#lookup(name, port);
      throw unavailable(`DNS: ${name} has no A or AAAA records`);
    }
    return {
      endpoints: records.map((record) => ({ host: record.address, port, priority: 0, weight: 1 })),
      ttlMs: this.#bound(Math.min(...records.map((record) => record.ttl * 1000))),
    };
  }

  /** The instances an SRV name lists, their targets resolved to addresses. */
  async resolveSrv(name: string): Promise<Resolution> {
    const records = await this.#records(() => this.#resolver.resolveSrv(name), name, 'SRV');
    if (records.length === 0) throw unavailable(`DNS: ${name} has no SRV records`);
    const targets = await Promise.allSettled(records.map((record) => this.resolveHost(record.name, record.port)));
    const endpoints: ResolvedEndpoint[] = [];
    let ttlMs = this.#refreshMs;
    targets.forEach((target, i) => {
      const record = records[i];
      if (target.status !== 'fulfilled' || record === undefined) return;
      ttlMs = Math.min(ttlMs, target.value.ttlMs);
      for (const endpoint of target.value.endpoints)
        endpoints.push({ ...endpoint, priority: record.priority, weight: record.weight, target: record.name });
    });
    if (endpoints.length === 0) throw unavailable(`DNS: no target of ${name}'s SRV records has an address`);
    return { endpoints, ttlMs: this.#bound(ttlMs) };
  }

  /** The system's answer for `name` (getaddrinfo), which carries no TTL: trusted for `refreshMs`. */
  async #lookup(name: string, port: number): Promise<Resolution> {
    let addresses: { address: string }[];
    try {
      addresses = await lookup(name, { all: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw unavailable(`DNS: could not resolve ${name} (${code})`, error);
    }
    if (addresses.length === 0) throw unavailable(`DNS: ${name} has no addresses`);
    return {
      endpoints: addresses.map(({ address }) => ({ host: address, port, priority: 0, weight: 1 })),
      ttlMs: this.#bound(this.#refreshMs),
    };
  }

  /** The records a query returns; none when the name has none of that type; UNAVAILABLE when DNS could not answer. */
  async #records<T>(query: () => Promise<T[]>, name: string, type: string): Promise<T[]> {
    try {
      return await query();
    } catch (error) {
      if (NO_RECORDS.has((error as NodeJS.ErrnoException).code ?? '')) return [];
      throw unavailable(
        `DNS: could not resolve ${type} records of ${name} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        error,
      );
    }
  }

  #bound(ttlMs: number): number {
    return Math.min(this.#maxTtlMs, Math.max(this.#minTtlMs, ttlMs));
  }
}

function unavailable(message: string, cause?: unknown): RpcError {
  return new RpcError('UNAVAILABLE', message, { local: true, notExecuted: true, cause });
}
