import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { RpcError } from '@volley/wire';
import { DEFAULT_MAX_DATAGRAM_BYTES, MAX_UDP_PAYLOAD_BYTES } from '../constants.js';
import { type ClientConnection, type ConnectionHandlers, createTransportStats, type TransportStats } from '../types.js';
import { bindUdpSocket, type UdpSocketOptions } from './udp-socket.js';

/** Where and how to open a client UDP socket. */
export interface ConnectUdpOptions extends UdpSocketOptions {
  host: string;
  port: number;
  maxDatagramBytes?: number;
  stats?: TransportStats;
}

/**
 * Opens one UDP socket aimed at a server. Only datagrams whose source is exactly the server's
 * address and port reach `onMessage`; anything else is counted in `foreignDropped` and dropped.
 * The socket is not `connect()`ed so that an ICMP port-unreachable cannot fail later sends.
 */
export async function connectUdp(options: ConnectUdpOptions, handlers: ConnectionHandlers): Promise<ClientConnection> {
  const stats = options.stats ?? createTransportStats();
  const maxDatagramBytes = Math.min(options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES, MAX_UDP_PAYLOAD_BYTES);
  let address = options.host;
  if (isIP(address) === 0) {
    try {
      address = (await lookup(options.host)).address;
    } catch (cause) {
      throw new RpcError('UNAVAILABLE', `Cannot resolve ${options.host}`, { cause, local: true, notExecuted: true });
    }
  }
  const local = isIP(address) === 6 ? '::' : '0.0.0.0';
  const socket = await bindUdpSocket(local, 0, options);
  const port = options.port;
  let closed = false;
  socket.on('message', (message, rinfo) => {
    if (rinfo.port !== port || rinfo.address !== address) {
      stats.foreignDropped++;
      return;
    }
    stats.messagesIn++;
    stats.bytesIn += message.length;
    handlers.onMessage(message);
  });
  socket.on('error', () => {
    // Send errors are reported per send; an error event here must not crash the process.
  });
  socket.on('close', () => handlers.onClose());
  return {
    kind: 'udp',
    peer: { transport: 'udp', address, port },
    connectionless: true,
    maxMessageBytes: maxDatagramBytes,
    send(message) {
      if (closed) return false;
      if (message.length > maxDatagramBytes) {
        stats.oversizeRefused++;
        return false;
      }
      stats.messagesOut++;
      stats.bytesOut += message.length;
      socket.send(message, port, address);
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}
