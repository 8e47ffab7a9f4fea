import type { AnyRouter } from '@volley/router';
import { BalancedClient } from './balance/balanced-client.js';
import { EndpointPool } from './balance/endpoint-pool.js';
import { OutlierDetector } from './balance/outlier-detector.js';
import type { ClientOptions } from './client-options.js';
import {
  DEFAULT_DNS_MIN_TTL_MS,
  DEFAULT_DNS_REFRESH_MS,
  DEFAULT_PEAK_EWMA_DECAY_MS,
  DEFAULT_PROBE_TIMEOUT_MS,
  INITIAL_RTO_MS,
} from './constants.js';
import { Discovery } from './discovery/discovery.js';
import { DnsResolver } from './discovery/dns-resolver.js';
import { parseTargets, type Target } from './discovery/target.js';
import { createEndpointCore } from './endpoint-core.js';
import { describeTarget, intercept } from './observe/interceptor.js';
import { createProxy } from './proxy.js';
import type { ClientMethods, VolleyClient } from './types.js';

/**
 * Creates a typed client. Types come from the server's router type alone: import it with
 * `import type`, no codegen and no server code at run time.
 *
 * `target` is one URL or several. One address (`udp://10.0.0.5:4000`, a Unix socket, a memory
 * name) gives a client of that server. A DNS name (`udp://kv.internal:4000`, every A/AAAA
 * address), an SRV name (`udp+srv://_kv._udp.example.internal`) or a list gives a client that
 * balances over every endpoint found, re-resolves names as their TTL runs out, ejects failing
 * endpoints and moves calls that did not run to another one (see `ClientOptions.balancing`).
 * @example
 * import type { AppRouter } from './server.js';
 * const client = createClient<AppRouter>('udp://127.0.0.1:4000');
 * const { value } = await client.kv.get({ key: 'a' }, { timeoutMs: 200 });
 */
export function createClient<TRouter extends AnyRouter>(
  target: string | readonly string[],
  options: ClientOptions = {},
): VolleyClient<TRouter> {
  const targets = parseTargets(target);
  const [only] = targets;
  const engine =
    targets.length === 1 && only?.kind === 'endpoint'
      ? createEndpointCore(only.endpoint, options, { target: only.url, retry: options.retry })
      : createBalancedClient(targets, options);
  const described = describeTarget(typeof target === 'string' ? target : target.join(', '), targets);
  // Without interceptors this is the engine's own call: nothing in between.
  const call = intercept(options.interceptors, described, (procedure, input, callOptions) =>
    engine.call(procedure, input, callOptions),
  );
  const methods: ClientMethods = {
    call: (procedure, input, callOptions) => call(procedure, input, callOptions),
    notify: (procedure, input, callOptions) => engine.notify(procedure, input, callOptions),
    close: () => engine.close(),
    stats: engine.stats,
  };
  return createProxy(options.interceptors?.length ? { call } : engine, methods) as VolleyClient<TRouter>;
}

/** A client over every endpoint the targets name, found and kept current by discovery. */
function createBalancedClient(targets: Target[], options: ClientOptions): BalancedClient {
  if (typeof options.tcpFallback === 'string')
    throw new TypeError(
      'tcpFallback names one server; a client over several endpoints uses TCP on each endpoint’s own address (or pass false)',
    );
  const balancing = options.balancing ?? {};
  const pool = new EndpointPool({
    // Each endpoint retries nothing itself: moving a call, or not, is the balanced client's decision.
    createCore: (found) =>
      createEndpointCore(found.endpoint, options, {
        target: found.endpoint.url,
        ...(found.name !== undefined && { name: found.name }),
      }),
    detector: new OutlierDetector(balancing.outlier),
    load: { decayMs: balancing.decayMs ?? DEFAULT_PEAK_EWMA_DECAY_MS, initialRttMs: INITIAL_RTO_MS },
    random: balancing.random ?? Math.random,
    probeTimeoutMs: balancing.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    logger: options.logger,
  });
  let lastError: Error | undefined;
  const discovery = new Discovery(
    targets,
    new DnsResolver(options.dns),
    {
      onEndpoints: (found) => {
        lastError = undefined;
        pool.update(found);
      },
      onError: (error, failed) => {
        lastError = error;
        options.logger?.warn({ target: failed.url, reason: error.message }, 'could not resolve a target');
        pool.wakeWaiters();
      },
    },
    {
      retryMs: options.dns?.minTtlMs ?? DEFAULT_DNS_MIN_TTL_MS,
      maxRetryMs: options.dns?.refreshMs ?? DEFAULT_DNS_REFRESH_MS,
    },
  );
  const client = new BalancedClient({
    pool,
    discovery,
    target: targets.map((t) => t.url).join(', '),
    defaultTimeoutMs: options.timeoutMs,
    retry: options.retry,
    procedures: options.procedures,
    lastDiscoveryError: () => lastError,
  });
  discovery.start();
  return client;
}
