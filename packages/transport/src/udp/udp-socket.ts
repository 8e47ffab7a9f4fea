import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DEFAULT_UDP_RECV_BUFFER_BYTES, DEFAULT_UDP_SEND_BUFFER_BYTES } from '../constants.js';

/** Socket-level options shared by UDP server and client sockets. */
export interface UdpSocketOptions {
  /** Kernel receive buffer to ask for (capped by the kernel's rmem_max). */
  recvBufferBytes?: number;
  /** Kernel send buffer to ask for (capped by wmem_max). */
  sendBufferBytes?: number;
}

/** Binds a dgram socket of the family `host` needs; resolves once it is listening. */
export function bindUdpSocket(host: string, port: number, options: UdpSocketOptions): Promise<Socket> {
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
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
