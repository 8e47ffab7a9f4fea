import type { Socket } from 'node:dgram';
import { DEFAULT_MAX_DATAGRAM_BYTES, MAX_UDP_PAYLOAD_BYTES, UNVALIDATED_REPLY_FACTOR } from '../constants.js';
import { spendDatagramBudget } from '../datagram-budget.js';
import { createTransportStats } from '../stats.js';
import type { BoundAddress, DatagramChannel, PeerAddress, ServerTransport, TransportStats } from '../types.js';
import { bindUdpSocket, type UdpSocketOptions } from './udp-socket.js';

/** What every {@link UdpChannel} of one socket shares. */
interface DatagramSender {
  readonly socket: Socket;
  readonly stats: TransportStats;
  readonly maxDatagramBytes: number;
}

/**
 * The reply path to one datagram's sender. A class, so the one made per datagram carries no
 * closures. Sends pass no callback: Node then reports failures as the socket's `error` event
 * (logged by the listener) instead of calling back into JS for every datagram.
 *
 * It holds the datagram's anti-amplification budget: the sender's address is unproven (it may be
 * a victim's, spoofed), so everything sent back through this channel, by any path above it,
 * together stays within {@link UNVALIDATED_REPLY_FACTOR}× the datagram until `validate()`.
 */
class UdpChannel implements DatagramChannel {
  readonly kind = 'udp' as const;
  readonly mode = 'datagram' as const;
  readonly peer: PeerAddress;
  readonly #sender: DatagramSender;
  #budget: number;

  constructor(sender: DatagramSender, address: string, port: number, bytesIn: number) {
    this.#sender = sender;
    this.peer = { transport: 'udp', address, port };
    this.#budget = bytesIn * UNVALIDATED_REPLY_FACTOR;
  }

  get maxMessageBytes(): number {
    return this.#sender.maxDatagramBytes;
  }

  get sendBudget(): number {
    return this.#budget;
  }

  validate(): void {
    this.#budget = Number.POSITIVE_INFINITY;
  }

  send(message: Uint8Array): boolean {
    const { socket, stats, maxDatagramBytes } = this.#sender;
    const left = spendDatagramBudget(message.length, this.#budget, maxDatagramBytes, stats);
    if (left < 0) return false;
    this.#budget = left;
    socket.send(message, this.peer.port, this.peer.address);
    return true;
  }
}

/** Options for {@link createUdpTransport}. */
export interface UdpTransportOptions extends UdpSocketOptions {
  /**
   * IPv4 or IPv6 address to bind; the socket family follows it. Default `127.0.0.1`: this machine
   * only; `0.0.0.0` (or `::`) listens on every interface.
   */
  host?: string;
  port?: number;
  /** Largest datagram ever sent (default 1200, at most 65 507). Larger replies are refused by `send`. */
  maxDatagramBytes?: number;
  /**
   * Bind with SO_REUSEPORT, so that several sockets (one per process) may listen on this port
   * and the kernel spreads datagrams over them by a hash of the sender's address and port: one
   * client socket keeps reaching the same listener while the set of listeners stays the same.
   * Needs dgram's `reusePort` (Node 22.12+, 23.1+) and a kernel that balances it (Linux 3.9+,
   * FreeBSD 12+); elsewhere the bind fails, or (Node before 22.12, which ignores the flag) a
   * second socket on the port fails with EADDRINUSE. {@link canReuseUdpPort} tells which.
   */
  reusePort?: boolean;
}

/** A UDP server transport, with its counters. */
export interface UdpTransport extends ServerTransport {
  readonly stats: TransportStats;
}

/**
 * Creates a datagram server transport on `node:dgram`: one envelope per datagram, no
 * per-peer state. Each datagram is delivered with a throwaway {@link DatagramChannel} addressed to its
 * sender, through which the reply goes back.
 * @example
 * const udp = createUdpTransport({ host: '::1', port: 4000 });
 */
export function createUdpTransport(options: UdpTransportOptions = {}): UdpTransport {
  const maxDatagramBytes = Math.min(options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES, MAX_UDP_PAYLOAD_BYTES);
  const stats = createTransportStats();
  let socket: Socket | undefined;

  return {
    kind: 'udp',
    stats,
    async listen(listener) {
      const bound = await bindUdpSocket(options.host ?? '127.0.0.1', options.port ?? 0, options);
      socket = bound;
      const sender: DatagramSender = { socket: bound, stats, maxDatagramBytes };
      bound.on('message', (message, rinfo) => {
        stats.messagesIn++;
        stats.bytesIn += message.length;
        listener.onMessage(message, new UdpChannel(sender, rinfo.address, rinfo.port, message.length));
      });
      bound.on('error', (error) => listener.onTransportError?.(error));
      const address = bound.address();
      return { transport: 'udp', address: address.address, port: address.port } satisfies BoundAddress;
    },
    stopAccepting() {},
    close() {
      const current = socket;
      socket = undefined;
      if (!current) return Promise.resolve();
      return new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
}
