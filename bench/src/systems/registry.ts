import { PEER_SYSTEMS } from './peers.js';
import type { SystemDefinition } from './system.js';

const here = (path: string): URL => new URL(path, import.meta.url);

/** The limit: the least a request/reply over msgpack can do on the same sockets. Every ratio is to one of these. */
export const LIMIT_SYSTEMS: readonly SystemDefinition[] = [
  {
    id: 'raw-tcp',
    label: 'raw node:net, writes coalesced per turn',
    group: 'limit',
    transport: 'tcp',
    baseline: 'raw-tcp',
    multiplexes: true,
    serverModule: here('./raw/raw-tcp-server.ts'),
    clientModule: here('./raw/raw-tcp-client.ts'),
  },
  {
    id: 'raw-udp',
    label: 'raw node:dgram, one datagram per call',
    group: 'limit',
    transport: 'udp',
    baseline: 'raw-udp',
    multiplexes: true,
    serverModule: here('./raw/raw-udp-server.ts'),
    clientModule: here('./raw/raw-udp-client.ts'),
  },
];

/** Volley through its public API, one system per transport, plus UDP with the reply cache on. */
export const VOLLEY_SYSTEMS: readonly SystemDefinition[] = [
  {
    id: 'volley-tcp',
    label: 'Volley TCP',
    group: 'volley',
    transport: 'tcp',
    baseline: 'raw-tcp',
    multiplexes: true,
    serverModule: here('./volley/volley-tcp-server.ts'),
    clientModule: here('./volley/volley-tcp-client.ts'),
  },
  {
    id: 'volley-tcp-metrics',
    label: 'Volley TCP, metrics on both ends, scraped every second',
    group: 'volley',
    transport: 'tcp',
    baseline: 'raw-tcp',
    multiplexes: true,
    serverModule: here('./volley/volley-tcp-metrics-server.ts'),
    clientModule: here('./volley/volley-tcp-metrics-client.ts'),
    // The scrape costs the same whatever the payload: add shows it against the cheapest call.
    payloads: ['add'],
  },
  {
    id: 'volley-udp',
    label: 'Volley UDP, idempotent',
    group: 'volley',
    transport: 'udp',
    baseline: 'raw-udp',
    multiplexes: true,
    serverModule: here('./volley/volley-udp-server.ts'),
    clientModule: here('./volley/volley-udp-client.ts'),
  },
  {
    id: 'volley-udp-balanced',
    label: 'Volley UDP, idempotent, through the balancer',
    group: 'volley',
    transport: 'udp',
    baseline: 'raw-udp',
    multiplexes: true,
    serverModule: here('./volley/volley-udp-server.ts'),
    clientModule: here('./volley/volley-udp-balanced-client.ts'),
  },
  {
    id: 'volley-udp-once',
    label: 'Volley UDP, non-idempotent (reply cache)',
    group: 'volley',
    transport: 'udp',
    baseline: 'raw-udp',
    multiplexes: true,
    serverModule: here('./volley/volley-udp-server.ts'),
    clientModule: here('./volley/volley-udp-once-client.ts'),
    // Its echo is volley-udp's echo (idempotent, same server code): running it again would only
    // repeat that row. Its client still implements echo, as the contract asks.
    payloads: ['add'],
  },
  {
    id: 'volley-unix',
    label: 'Volley Unix socket',
    group: 'volley',
    transport: 'unix',
    // No raw Unix-socket system: raw TCP is the nearest floor (same framing, same stream code).
    baseline: 'raw-tcp',
    multiplexes: true,
    serverModule: here('./volley/volley-unix-server.ts'),
    clientModule: here('./volley/volley-unix-client.ts'),
  },
];

/**
 * What watching costs (docs/observability.md): `volley-tcp` with tracing installed on both ends,
 * without an OpenTelemetry SDK (the API's no-op) and with the SDK sampling every span. Their
 * baseline is `volley-tcp`, so × base is the cost itself.
 */
export const OBSERVED_SYSTEMS: readonly SystemDefinition[] = [
  {
    id: 'volley-tcp-otel-api',
    label: 'Volley TCP, tracing installed, no OpenTelemetry SDK',
    group: 'volley',
    transport: 'tcp',
    baseline: 'volley-tcp',
    multiplexes: true,
    serverModule: here('./volley/volley-tcp-untraced-server.ts'),
    clientModule: here('./volley/volley-tcp-untraced-client.ts'),
  },
  {
    id: 'volley-tcp-traced',
    label: 'Volley TCP, traced, SDK sampling every span',
    group: 'volley',
    transport: 'tcp',
    baseline: 'volley-tcp',
    multiplexes: true,
    serverModule: here('./volley/volley-tcp-traced-server.ts'),
    clientModule: here('./volley/volley-tcp-traced-client.ts'),
  },
];

/** Every system the bench knows, in table order: the limit, Volley, then the peers. */
export const ALL_SYSTEMS: readonly SystemDefinition[] = [
  ...LIMIT_SYSTEMS,
  ...VOLLEY_SYSTEMS,
  ...OBSERVED_SYSTEMS,
  ...PEER_SYSTEMS,
];

/** The system with this id; throws naming the known ids otherwise. */
export function findSystem(id: string): SystemDefinition {
  const system = ALL_SYSTEMS.find((each) => each.id === id);
  if (system === undefined)
    throw new Error(`unknown system "${id}"; known: ${ALL_SYSTEMS.map((each) => each.id).join(', ')}`);
  return system;
}
