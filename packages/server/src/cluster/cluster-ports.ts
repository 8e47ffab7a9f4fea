import { createTcpTransport, createUdpTransport, type ServerTransport } from '@volley/transport';
import type { ListenOptions } from '../listen-options.js';
import type { WorkerAssignment } from './cluster-protocol.js';

/** Tries at a TCP port whose UDP twin is taken before giving up on sharing one number. */
const SHARED_PORT_TRIES = 20;
const IGNORE = { onMessage() {} };

/**
 * Concrete ports for every worker, chosen in the primary before any worker starts: workers that
 * each bound port 0 would each get another port (with SO_REUSEPORT as without). UDP and TCP on
 * port 0 on the same host get one number free for both, as `server.listen` gives a single
 * process. The probes close before the workers bind, so another program could take the port in
 * between; the workers then fail with EADDRINUSE and serveCluster rejects. Port 0 is for tests
 * and tools: a service has a port of its own.
 */
export async function choosePorts(listen: ListenOptions): Promise<WorkerAssignment['ports']> {
  const udpPort = listen.udp && (listen.udp.port ?? 0);
  const tcpPort = listen.tcp && (listen.tcp.port ?? 0);
  const tlsPort = listen.tls && (listen.tls.port ?? 0);
  const sameHost = (listen.udp?.host ?? '127.0.0.1') === (listen.tcp?.host ?? '127.0.0.1');
  let udp = udpPort;
  let tcp = tcpPort;
  if (udpPort === 0 && tcpPort === 0 && sameHost) {
    const shared = await sharedPort(listen.tcp?.host ?? '127.0.0.1');
    udp = shared;
    tcp = shared;
  } else {
    if (udpPort === 0) udp = await probe(createUdpTransport({ host: listen.udp?.host }));
    if (tcpPort === 0) tcp = await probe(createTcpTransport({ host: listen.tcp?.host }));
  }
  const tls = tlsPort === 0 ? await probe(createTcpTransport({ host: listen.tls?.host })) : tlsPort;
  return {
    ...(udp !== undefined && { udp }),
    ...(tcp !== undefined && { tcp }),
    ...(tls !== undefined && { tls }),
  };
}

/** A port free for TCP (picked by the kernel) and UDP (tried), on `host`. */
async function sharedPort(host: string): Promise<number> {
  for (let attempt = 0; attempt < SHARED_PORT_TRIES; attempt++) {
    const tcp = createTcpTransport({ host });
    const { port } = await tcp.listen(IGNORE);
    try {
      await probe(createUdpTransport({ host, port }));
      return port;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    } finally {
      await tcp.close();
    }
  }
  throw new Error(`no port on ${host} was free for both UDP and TCP in ${SHARED_PORT_TRIES} tries`);
}

/** Binds `transport`, notes its port and closes it. */
async function probe(transport: ServerTransport): Promise<number> {
  const { port } = await transport.listen(IGNORE);
  await transport.close();
  return port;
}
