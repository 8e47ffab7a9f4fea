import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientOptions } from '@volley/client';
import type { ListeningAddresses, ListenOptions } from '@volley/server';
import { MemoryNetwork } from '@volley/transport';
import { createTestPki, type TestPki } from '../tls/test-pki.js';

/** One way of reaching a server, as the conformance suite runs it. */
export interface TransportCase {
  name: string;
  /** Why this case is skipped on this machine, or undefined to run it. */
  skip: string | undefined;
  listen(): ListenOptions;
  url(bound: ListeningAddresses): string;
  /** What a client needs beyond the URL to reach the last `listen()` (a memory network, TLS trust). */
  clientOptions?(): ClientOptions;
  /**
   * The datagram faults of the last `listen()`: a case whose datagrams the suite can lose,
   * duplicate and reorder on a fake clock has them, and runs the at-most-once and
   * retransmission cases; any other says why not in `faultsSkip`.
   */
  faults?(): MemoryNetwork;
  faultsSkip?: string;
}

/** Why the fault cases skip real UDP sockets. */
const KERNEL_UDP =
  'real UDP sockets: the suite cannot lose or duplicate their datagrams on a fake clock (test/reliability/relay-faults.test.ts and netns-loss.test.ts prove this end to end)';
/** Why the fault cases skip streams. */
const STREAM = 'a stream delivers every message once and in order: no datagram to lose, duplicate or retransmit';

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

let pki: TestPki | undefined;
let pkiProblem: string | undefined = 'the TLS certificates were not made (call prepareTls first)';

/** Makes the TLS case's certificates with the openssl CLI; without it, the case says so and skips. */
export async function prepareTls(): Promise<void> {
  try {
    pki = await createTestPki();
    pkiProblem = undefined;
  } catch (error) {
    pkiProblem = `cannot make test certificates with openssl: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Deletes the TLS case's certificates. */
export async function removeTls(): Promise<void> {
  await pki?.remove();
}

/** Every transport the suite runs against, each used unchanged by the same tests. */
export function transportCases(): TransportCase[] {
  return [
    {
      name: 'udp (IPv4)',
      skip: undefined,
      listen: () => ({ udp: { host: '127.0.0.1', port: 0 } }),
      url: (bound) => `udp://127.0.0.1:${bound.udp?.port}`,
      faultsSkip: KERNEL_UDP,
    },
    {
      name: 'udp (IPv6)',
      get skip() {
        return ipv6Unavailable();
      },
      listen: () => ({ udp: { host: '::1', port: 0 } }),
      url: (bound) => `udp://[::1]:${bound.udp?.port}`,
      faultsSkip: KERNEL_UDP,
    },
    {
      name: 'tcp',
      skip: undefined,
      listen: () => ({ tcp: { host: '127.0.0.1', port: 0 } }),
      url: (bound) => `tcp://127.0.0.1:${bound.tcp?.port}`,
      faultsSkip: STREAM,
    },
    {
      name: 'unix',
      skip: process.platform === 'win32' ? 'Unix domain sockets are not available on Windows' : undefined,
      listen: () => ({ unix: { path: join(mkdtempSync(join(tmpdir(), 'volley-')), 'conformance.sock') } }),
      url: (bound) => `unix://${bound.unix?.address}`,
      faultsSkip: STREAM,
    },
    {
      name: 'memory',
      skip: undefined,
      listen: () => ({ memory: { name: `conformance-${process.pid}-${++memoryCounter}` } }),
      url: (bound) => `memory://${bound.memory?.address}`,
      faultsSkip: STREAM,
    },
    memoryDatagramCase(),
    {
      name: 'tls',
      get skip() {
        return pkiProblem;
      },
      listen: () => ({ tls: { host: '127.0.0.1', port: 0, cert: pki?.server.cert ?? '', key: pki?.server.key ?? '' } }),
      url: (bound) => `tls://127.0.0.1:${bound.tls?.port}`,
      // The server certificate names localhost only (test-pki.ts), so the client checks that name.
      clientOptions: () => ({ tls: { ca: pki?.ca ?? '', servername: 'localhost' } }),
      faultsSkip: STREAM,
    },
  ];
}

/**
 * Memory in datagram mode: UDP's semantics (budgets, retransmission, the reply cache) with no
 * socket. Delivery is faultless unless a test sets `faults().faults`.
 */
function memoryDatagramCase(): TransportCase {
  let network = new MemoryNetwork({ mode: 'datagram' });
  return {
    name: 'memory (datagram)',
    skip: undefined,
    listen: () => {
      network = new MemoryNetwork({ mode: 'datagram' });
      return { memory: { name: `conformance-dgram-${process.pid}-${++memoryCounter}`, network } };
    },
    url: (bound) => `memory://${bound.memory?.address}`,
    clientOptions: () => ({ memoryNetwork: network }),
    faults: () => network,
  };
}
