import type { AddressInfo } from 'node:net';

/** The port a listening `net.Server` or `http.Server` got from the kernel after binding port 0. */
export function toBoundPort(bound: string | AddressInfo | null): number {
  if (bound === null || typeof bound === 'string') throw new Error('server is not listening on TCP');
  return bound.port;
}
