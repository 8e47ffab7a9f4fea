import type { PeerAddress } from '../types.js';
import {
  createDatagramFaultStats,
  type DatagramFaultStats,
  type DatagramFaults,
  planDelivery,
} from './datagram-faults.js';

/** An address bound on a {@link DatagramMedium}: what arrives there, and ICMP's part. */
export interface DatagramReceiver {
  /** One datagram, a copy of its own, from `from`. */
  receive(datagram: Buffer, from: PeerAddress): void;
  /** A datagram this address sent found nobody bound at its destination (ICMP port-unreachable). */
  unreachable?(error: Error): void;
}

/**
 * The datagram half of a memory network: addresses bound to receivers, and delivery through the
 * configured {@link DatagramFaults}. Like UDP, sending is fire and forget and nothing is ordered.
 *
 * Timing, so tests can drive it: a copy due now is delivered on a microtask (`queueMicrotask`,
 * which vitest's fake timers leave real), a held-back copy after `setTimeout` (which they fake).
 * A network without faults therefore needs no clock at all; one with reordering or duplication
 * delivers those copies only as the (fake) clock advances.
 */
export class DatagramMedium {
  readonly stats: DatagramFaultStats = createDatagramFaultStats();
  /** Faults applied to every datagram sent from now on; replace to change them mid-test. */
  faults: DatagramFaults;
  readonly #receivers = new Map<string, DatagramReceiver>();

  constructor(faults: DatagramFaults = {}) {
    this.faults = faults;
  }

  /** Binds `address`; throws if it is taken. */
  bind(address: string, receiver: DatagramReceiver): void {
    if (this.#receivers.has(address)) throw new Error(`memory datagram address "${address}" is already bound`);
    this.#receivers.set(address, receiver);
  }

  unbind(address: string): void {
    this.#receivers.delete(address);
  }

  /**
   * Sends a copy of `datagram` from `from` to the address `to`. A copy arriving where nobody is
   * bound (by then) is dropped, and the sender hears of it through `unreachable`, as a connected
   * UDP socket hears ICMP port-unreachable.
   */
  send(datagram: Uint8Array, from: PeerAddress, to: string): void {
    for (const delayMs of planDelivery(this.faults, this.stats)) {
      const copy = Buffer.from(datagram);
      const deliver = () => this.#deliver(copy, from, to);
      if (delayMs === 0) queueMicrotask(deliver);
      else setTimeout(deliver, delayMs).unref();
    }
  }

  #deliver(datagram: Buffer, from: PeerAddress, to: string): void {
    const receiver = this.#receivers.get(to);
    if (receiver) {
      this.stats.delivered++;
      receiver.receive(datagram, from);
      return;
    }
    const error = Object.assign(new Error(`Nothing listens on memory datagram address "${to}"`), {
      code: 'ECONNREFUSED',
    });
    this.#receivers.get(from.address)?.unreachable?.(error);
  }
}
