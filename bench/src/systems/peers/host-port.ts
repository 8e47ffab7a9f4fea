import type { AddressInfo } from 'node:net';
import type { SystemAddress } from '../system.js';

/** The host and port of a peer's server; every peer listens on TCP, none on a Unix socket. */
export function toHostPort(address: SystemAddress): { host: string; port: number } {
  if ('path' in address) throw new Error(`peer systems listen on TCP, not on a Unix socket (${address.path})`);
  return { host: address.host, port: address.port };
}

/** The port a listening `net.Server` or `http.Server` got from the kernel after binding port 0. */
export function toBoundPort(bound: string | AddressInfo | null): number {
  if (bound === null || typeof bound === 'string') throw new Error('server is not listening on TCP');
  return bound.port;
}
