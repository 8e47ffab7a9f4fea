import { createSocket, type Socket } from 'node:dgram';
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

/** Binds a dgram socket of the family `host` needs; resolves once it is listening. */
export function bindUdpSocket(host: string, port: number, options: UdpSocketOptions): Promise<Socket> {
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', lookup: lookupLiteralsAtOnce as never });
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
