import type { SystemAddress } from './system.js';

/** The host and port of a TCP/UDP address; throws for a Unix-socket path (a registry mistake). */
export function requireHostPort(address: SystemAddress, systemId: string): { host: string; port: number } {
  if (!('port' in address)) throw new TypeError(`${systemId} needs a host and port, got a socket path`);
  return address;
}

/** The Unix-socket path of an address; throws for a host and port. */
export function requireSocketPath(address: SystemAddress, systemId: string): string {
  if (!('path' in address)) throw new TypeError(`${systemId} needs a socket path, got a host and port`);
  return address.path;
}
