/** Where a client sends calls, parsed from its URL. */
export type Endpoint =
  | { readonly transport: 'udp' | 'tcp' | 'tls'; readonly host: string; readonly port: number; readonly url: string }
  | { readonly transport: 'unix'; readonly path: string; readonly url: string }
  | { readonly transport: 'memory'; readonly name: string; readonly url: string };

/**
 * Parses `udp://host:port`, `tcp://host:port`, `tls://host:port`, `unix:///absolute/path` or
 * `memory://name`.
 * IPv6 hosts go in brackets: `udp://[::1]:4000`. Throws `TypeError` for anything else.
 */
export function parseEndpoint(url: string): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TypeError(
      `Invalid Volley URL "${url}": expected udp://host:port, tcp://host:port, tls://host:port, unix:///path or memory://name`,
      { cause },
    );
  }
  const scheme = parsed.protocol.slice(0, -1);
  switch (scheme) {
    case 'udp':
    case 'tcp':
    case 'tls': {
      const port = Number(parsed.port);
      if (parsed.hostname === '' || !Number.isInteger(port) || port <= 0)
        throw new TypeError(`"${url}" needs a host and a port`);
      const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
      return { transport: scheme, host, port, url };
    }
    case 'unix': {
      const path = decodeURIComponent(parsed.pathname);
      if (path === '' || path === '/') throw new TypeError(`"${url}" needs a socket path (unix:///run/app.sock)`);
      return { transport: 'unix', path, url };
    }
    case 'memory':
      if (parsed.host === '') throw new TypeError(`"${url}" needs an endpoint name`);
      return { transport: 'memory', name: parsed.host, url };
    default:
      throw new TypeError(`Unsupported scheme "${scheme}:" in "${url}"`);
  }
}
