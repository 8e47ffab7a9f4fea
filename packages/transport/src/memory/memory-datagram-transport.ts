import { UNVALIDATED_REPLY_FACTOR } from '../constants.js';
import { spendDatagramBudget } from '../datagram-budget.js';
import { createTransportStats } from '../stats.js';
import type { DatagramChannel, PeerAddress, ServerTransport, TransportStats } from '../types.js';
import type { DatagramMedium } from './datagram-medium.js';

/** What every {@link MemoryDatagramChannel} of one endpoint shares. */
interface MemoryDatagramSender {
  readonly medium: DatagramMedium;
  readonly self: PeerAddress;
  readonly stats: TransportStats;
  readonly maxDatagramBytes: number;
}

/**
 * The reply path to one memory datagram's sender, sending by the same rule as `UdpChannel`
 * ({@link spendDatagramBudget}): until
 * `validate()`, everything sent back through it together stays within
 * {@link UNVALIDATED_REPLY_FACTOR}× the datagram, so the server's anti-amplification paths
 * (truncation, cookie challenges) run here exactly as over UDP.
 */
class MemoryDatagramChannel implements DatagramChannel {
  readonly kind = 'memory' as const;
  readonly mode = 'datagram' as const;
  readonly peer: PeerAddress;
  readonly #sender: MemoryDatagramSender;
  #budget: number;

  constructor(sender: MemoryDatagramSender, peer: PeerAddress, bytesIn: number) {
    this.#sender = sender;
    this.peer = peer;
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
    const { medium, self, stats, maxDatagramBytes } = this.#sender;
    const left = spendDatagramBudget(message.length, this.#budget, maxDatagramBytes, stats);
    if (left < 0) return false;
    this.#budget = left;
    medium.send(message, self, this.peer.address);
    return true;
  }
}

/** A memory datagram server transport, with its counters. */
export interface MemoryDatagramTransport extends ServerTransport {
  readonly stats: TransportStats;
}

/**
 * Creates the server side of a datagram memory endpoint: like UDP, each datagram arrives with a
 * throwaway {@link DatagramChannel} addressed to its sender, and nothing is connected. Reach it
 * through `MemoryNetwork`'s datagram mode (`createMemoryTransport` picks this for such a network).
 */
export function createMemoryDatagramTransport(
  name: string,
  medium: DatagramMedium,
  maxDatagramBytes: number,
): MemoryDatagramTransport {
  const stats = createTransportStats();
  const self: PeerAddress = { transport: 'memory', address: name, port: 0 };
  const sender: MemoryDatagramSender = { medium, self, stats, maxDatagramBytes };
  let bound = false;
  return {
    kind: 'memory',
    stats,
    async listen(listener) {
      medium.bind(name, {
        receive(datagram, from) {
          stats.messagesIn++;
          stats.bytesIn += datagram.length;
          listener.onMessage(datagram, new MemoryDatagramChannel(sender, from, datagram.length));
        },
      });
      bound = true;
      return { transport: 'memory', address: name, port: 0 };
    },
    // As over UDP: there are no connections to stop accepting, and replies must keep flowing.
    stopAccepting() {},
    async close() {
      if (bound) medium.unbind(name);
      bound = false;
    },
  };
}
