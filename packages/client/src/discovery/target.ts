import { isIP } from 'node:net';
import { type Endpoint, parseEndpoint } from '../endpoint.js';

/** The transports whose servers have network addresses, and so can be found through DNS. */
export type NetworkTransport = 'udp' | 'tcp' | 'tls';

/**
 * What a client was asked to reach: one concrete endpoint (an IP address, a socket path, a memory
 * name), a host name whose A/AAAA records list the instances, or an SRV name whose records list
 * them with their ports.
 */
export type Target =
  | { readonly kind: 'endpoint'; readonly endpoint: Endpoint; readonly url: string }
  | {
      readonly kind: 'host';
      readonly transport: NetworkTransport;
      readonly host: string;
      readonly port: number;
      readonly url: string;
    }
  | { readonly kind: 'srv'; readonly transport: NetworkTransport; readonly name: string; readonly url: string };

const SRV_SCHEME = /^(udp|tcp|tls)\+srv:$/;

/**
 * Parses one target URL: those {@link parseEndpoint} reads, where a host that is not an IP literal
 * is a DNS name to resolve, or `udp+srv://_service._proto.domain` (also `tcp+srv`, `tls+srv`), an
 * SRV name whose records give each instance's host and port — the `+srv` form MongoDB's
 * `mongodb+srv://` made familiar, with the transport to use in front.
 */
export function parseTarget(url: string): Target {
  const srv = SRV_SCHEME.exec(url.slice(0, url.indexOf('//')));
  if (srv?.[1] !== undefined) {
    const parsed = new URL(url);
    if (parsed.hostname === '') throw new TypeError(`"${url}" needs an SRV name (udp+srv://_kv._udp.example.internal)`);
    if (parsed.port !== '') throw new TypeError(`"${url}": an SRV name takes no port; its records give each one`);
    return { kind: 'srv', transport: srv[1] as NetworkTransport, name: parsed.hostname, url };
  }
  const endpoint = parseEndpoint(url);
  if (endpoint.transport === 'unix' || endpoint.transport === 'memory' || isIP(endpoint.host) !== 0)
    return { kind: 'endpoint', endpoint, url };
  return { kind: 'host', transport: endpoint.transport, host: endpoint.host, port: endpoint.port, url };
}

/** Parses every target; a client needs at least one. */
export function parseTargets(targets: string | readonly string[]): Target[] {
  const list = typeof targets === 'string' ? [targets] : [...targets];
  if (list.length === 0) throw new TypeError('createClient needs at least one URL');
  return list.map(parseTarget);
}

/** The concrete endpoint for `address` reached over `transport`, named by its URL. */
export function addressEndpoint(transport: NetworkTransport, host: string, port: number): Endpoint {
  const shown = host.includes(':') ? `[${host}]` : host;
  return { transport, host, port, url: `${transport}://${shown}:${port}` };
}
