import { createSocket, type Socket, type SocketOptions } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { DEFAULT_UDP_RECV_BUFFER_BYTES, DEFAULT_UDP_SEND_BUFFER_BYTES } from '../constants.js';

/** Socket-level options shared by UDP server and client sockets. */
export interface UdpSocketOptions {
  /** Kernel receive buffer to ask for (capped by the kernel's rmem_max). */
  recvBufferBytes?: number;
  /** Kernel send buffer to ask for (capped by wmem_max). */
  sendBufferBytes?: number;
}

/**
 * `dgram`'s address lookup, answering IP literals at once. Node resolves the destination of every
 * `send(msg, port, address)` through `dns.lookup`, which for an IP literal still defers the send
 * to the next tick through a closure; a server replies to IP literals only (the source address of
 * each request), so this makes each reply's send synchronous. Names still go to `dns.lookup`.
 */
function lookupLiteralsAtOnce(
  hostname: string,
  options: number | LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
}

/** How a server socket binds, beyond {@link UdpSocketOptions}. */
export interface UdpBindOptions extends UdpSocketOptions {
  /** SO_REUSEPORT; see `UdpTransportOptions.reusePort`. */
  reusePort?: boolean;
}

/**
 * Binds a dgram socket of the family `host` needs; resolves once it is listening. `exclusive`:
 * in a node:cluster worker a plain bind would share the primary's socket instead of opening one.
 */
export function bindUdpSocket(host: string, port: number, options: UdpBindOptions): Promise<Socket> {
  // `reusePort` is dgram's since Node 22.12 (and 23.1); older versions ignore the key, and
  // @types/node 20 does not know it, hence the widened options type.
  const socketOptions: SocketOptions & { reusePort?: boolean } = {
    type: isIPv6(host) ? 'udp6' : 'udp4',
    lookup: lookupLiteralsAtOnce as never,
    ...(options.reusePort === true && { reusePort: true }),
  };
  const socket = createSocket(socketOptions);
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      // Best effort: the kernel silently caps these; a failure here must not prevent serving.
      try {
        socket.setRecvBufferSize(options.recvBufferBytes ?? DEFAULT_UDP_RECV_BUFFER_BYTES);
        socket.setSendBufferSize(options.sendBufferBytes ?? DEFAULT_UDP_SEND_BUFFER_BYTES);
      } catch {}
      resolve(socket);
    });
  });
}
