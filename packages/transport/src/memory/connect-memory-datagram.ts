import { createTransportStats } from '../stats.js';
import type { ConnectionHandlers, DatagramConnection, PeerAddress, TransportStats } from '../types.js';
import type { DatagramMedium } from './datagram-medium.js';

/** Where and how to open a memory datagram socket. */
export interface ConnectMemoryDatagramOptions {
  /** The server endpoint's name. */
  name: string;
  /** This socket's own address on the medium; unique per socket. */
  address: string;
  port: number;
  maxDatagramBytes: number;
  stats?: TransportStats;
}

/**
 * Opens a memory datagram socket aimed at one endpoint, as `connectUdp` opens a connected UDP
 * socket: only datagrams from that endpoint reach `onMessage` (others count as `foreignDropped`),
 * and datagrams sent while nothing is bound there draw `onUnreachable`.
 */
export function connectMemoryDatagram(
  medium: DatagramMedium,
  options: ConnectMemoryDatagramOptions,
  handlers: ConnectionHandlers,
): DatagramConnection {
  const stats = options.stats ?? createTransportStats();
  const self: PeerAddress = { transport: 'memory', address: options.address, port: options.port };
  let closed = false;
  medium.bind(options.address, {
    receive(datagram, from) {
      if (closed) return;
      if (from.address !== options.name) {
        stats.foreignDropped++;
        return;
      }
      stats.messagesIn++;
      stats.bytesIn += datagram.length;
      handlers.onMessage(datagram);
    },
    unreachable(error) {
      if (!closed) handlers.onUnreachable?.(error);
    },
  });
  return {
    kind: 'memory',
    peer: { transport: 'memory', address: options.name, port: 0 },
    mode: 'datagram',
    maxMessageBytes: options.maxDatagramBytes,
    send(message) {
      if (closed) return false;
      if (message.length > options.maxDatagramBytes) {
        stats.oversizeRefused++;
        return false;
      }
      stats.messagesOut++;
      stats.bytesOut += message.length;
      medium.send(message, self, options.name);
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      medium.unbind(options.address);
      // A UDP socket reports its close as an event, so after close() returns.
      queueMicrotask(() => handlers.onClose());
    },
  };
}
