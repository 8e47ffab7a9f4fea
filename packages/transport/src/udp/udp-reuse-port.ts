import type { Socket } from 'node:dgram';
import { bindUdpSocket } from './udp-socket.js';

const probes = new Map<string, Promise<boolean>>();

/**
 * Whether two UDP sockets of this process can bind one port on `host` with SO_REUSEPORT, found
 * by trying it (once per host and process) rather than from the Node version alone: Node before
 * 22.12 ignores `reusePort`, and some platforms (macOS, Windows) refuse it or do not balance it.
 * Where this is false, a port's datagrams can reach only one socket of a process group.
 */
export function canReuseUdpPort(host = '127.0.0.1'): Promise<boolean> {
  let probe = probes.get(host);
  if (probe === undefined) {
    probe = probeReusePort(host);
    probes.set(host, probe);
  }
  return probe;
}

async function probeReusePort(host: string): Promise<boolean> {
  const opened: Socket[] = [];
  try {
    const first = await bindUdpSocket(host, 0, { reusePort: true });
    opened.push(first);
    opened.push(await bindUdpSocket(host, first.address().port, { reusePort: true }));
    return true;
  } catch {
    return false;
  } finally {
    for (const socket of opened) socket.close();
  }
}
