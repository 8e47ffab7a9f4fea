import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListeningAddresses, ListenOptions } from '@volley/server';

/** One way of reaching a server, as the conformance suite runs it. */
export interface TransportCase {
  name: string;
  /** Why this case is skipped on this machine, or undefined to run it. */
  skip: string | undefined;
  listen(): ListenOptions;
  url(bound: ListeningAddresses): string;
}

let memoryCounter = 0;

/** IPv6 loopback may be disabled in some containers; the suite says so instead of failing. */
function ipv6Unavailable(): string | undefined {
  return ipv6Probe;
}
let ipv6Probe: string | undefined;
export async function probeIpv6(): Promise<void> {
  ipv6Probe = await new Promise<string | undefined>((resolve) => {
    const socket = createSocket('udp6');
    socket.once('error', (error) => {
      socket.close();
      resolve(`IPv6 loopback (::1) cannot be bound here: ${error.message}`);
    });
    socket.bind(0, '::1', () => socket.close(() => resolve(undefined)));
  });
}

/** Every transport the suite runs against, each used unchanged by the same tests. */
export function transportCases(): TransportCase[] {
  return [
    {
      name: 'udp (IPv4)',
      skip: undefined,
      listen: () => ({ udp: { host: '127.0.0.1', port: 0 } }),
      url: (bound) => `udp://127.0.0.1:${bound.udp?.port}`,
    },
    {
      name: 'udp (IPv6)',
      get skip() {
        return ipv6Unavailable();
      },
      listen: () => ({ udp: { host: '::1', port: 0 } }),
      url: (bound) => `udp://[::1]:${bound.udp?.port}`,
    },
    {
      name: 'tcp',
      skip: undefined,
      listen: () => ({ tcp: { host: '127.0.0.1', port: 0 } }),
      url: (bound) => `tcp://127.0.0.1:${bound.tcp?.port}`,
    },
    {
      name: 'unix',
      skip: process.platform === 'win32' ? 'Unix domain sockets are not available on Windows' : undefined,
      listen: () => ({ unix: { path: join(mkdtempSync(join(tmpdir(), 'volley-')), 'conformance.sock') } }),
      url: (bound) => `unix://${bound.unix?.address}`,
    },
    {
      name: 'memory',
      skip: undefined,
      listen: () => ({ memory: { name: `conformance-${process.pid}-${++memoryCounter}` } }),
      url: (bound) => `memory://${bound.memory?.address}`,
    },
  ];
}
