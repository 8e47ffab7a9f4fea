import {
  type BoundAddress,
  createUdpTransport,
  type MemoryNetwork,
  type ServerTransport,
  type TcpTransportOptions,
  type TlsTransportOptions,
  type UdpTransportOptions,
} from '@volley/transport';
import { signingAudience } from '@volley/wire';
import type { ListenError, ListenTarget } from './listen-error.js';
import type { SigningOptions } from './signing/signing-gate.js';

/**
 * Which transports to listen on. UDP and TCP may share a port number. Each host defaults to
 * `127.0.0.1` (this machine only); pass `host: '0.0.0.0'` (or `'::'`) to listen on every interface.
 */
export interface ListenOptions {
  /**
   * UDP. `signing` here is the same as `createServer({ signing })`: it applies to every transport
   * of the server, or a TCP route beside the UDP port would be a way around it.
   */
  udp?: UdpTransportOptions & { signing?: SigningOptions };
  tcp?: Omit<TcpTransportOptions, 'path'>;
  /** TLS over TCP (`node:tls`); `requestCert` with a `ca` makes it mTLS. Needs its own port. */
  tls?: TlsTransportOptions;
  unix?: { path: string; maxFrameBytes?: number; maxConnections?: number };
  memory?: { name: string; network?: MemoryNetwork };
}

/** Where each requested transport ended up listening. */
export interface ListeningAddresses {
  udp?: BoundAddress;
  tcp?: BoundAddress;
  tls?: BoundAddress;
  unix?: BoundAddress;
  memory?: BoundAddress;
}

/**
 * When UDP asks for an ephemeral port and TCP is on the same host, take TCP's port number so the
 * service has one port for both (as DNS does); fall back to any free port if UDP has it taken.
 */
export async function listenUdpBesideTcp(
  udp: UdpTransportOptions,
  tcp: BoundAddress | undefined,
  start: (transport: ServerTransport, target: ListenTarget) => Promise<BoundAddress>,
): Promise<BoundAddress> {
  const host = udp.host ?? '127.0.0.1';
  if ((udp.port ?? 0) === 0 && tcp && tcp.address === host) {
    try {
      return await start(createUdpTransport({ ...udp, host, port: tcp.port }), {
        transport: 'udp',
        host,
        port: tcp.port,
      });
    } catch (error) {
      if ((error as ListenError).code !== 'EADDRINUSE') throw error;
    }
  }
  return start(createUdpTransport(udp), { transport: 'udp', host, port: udp.port });
}

/** The audiences a client may sign for to reach `bound`: its address, and `localhost` for loopback. */
export function namesOf(bound: BoundAddress): string[] {
  if (bound.transport === 'unix' || bound.transport === 'memory') return [bound.address];
  const names = [signingAudience(bound.address, bound.port)];
  if (bound.address === '127.0.0.1' || bound.address === '::1') names.push(signingAudience('localhost', bound.port));
  return names;
}
