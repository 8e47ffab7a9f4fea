import { RpcError } from '@volley/wire';
import { DEFAULT_MAX_DATAGRAM_BYTES } from '../constants.js';
import type { ClientConnection, ConnectionHandlers, DeliveryMode, PeerAddress } from '../types.js';
import { connectMemoryDatagram } from './connect-memory-datagram.js';
import type { DatagramFaultStats, DatagramFaults } from './datagram-faults.js';
import { DatagramMedium } from './datagram-medium.js';

/** What a listening memory endpoint does with a new connection. */
export type MemoryAcceptor = (client: MemoryPipeEnd) => void;

/** One direction-pair end of an in-memory connection. */
export interface MemoryPipeEnd {
  readonly peer: PeerAddress;
  send(message: Uint8Array): boolean;
  close(reason?: Error): void;
  /** Set by the owner of this end before any message is delivered. */
  attach(handlers: ConnectionHandlers): void;
}

/** Options for a {@link MemoryNetwork}. */
export interface MemoryNetworkOptions {
  /**
   * `stream` (default): endpoints take ordered, reliable connections, like TCP. `datagram`:
   * endpoints take unconnected datagrams, like UDP, through `faults`; a client reaching such an
   * endpoint takes the datagram path (retransmission, client id, reply cache).
   */
  mode?: DeliveryMode;
  /** Datagram mode: largest datagram either side sends (default 1200, as UDP). */
  maxDatagramBytes?: number;
  /** Datagram mode: loss, duplication and reordering, none by default; see {@link MemoryNetwork.faults}. */
  faults?: DatagramFaults;
}

/**
 * A namespace of in-memory endpoints: lets every layer above be tested without a socket.
 * Messages are copied and delivered on a later microtask, as a real socket would, so no caller
 * can rely on synchronous delivery or shared buffers.
 *
 * A network has one mode, as a medium does: every endpoint on it is a stream endpoint or every
 * one a datagram endpoint, so `memory://name` means the same to the server and to its clients.
 * @example
 * const network = new MemoryNetwork({ mode: 'datagram', faults: { loss: 0.1, random: seeded } });
 * await server.listen({ memory: { name: 'app', network } });
 * const client = createClient<AppRouter>('memory://app', { memoryNetwork: network });
 */
export class MemoryNetwork {
  readonly mode: DeliveryMode;
  /** Datagram mode: largest datagram either side sends. */
  readonly maxDatagramBytes: number;
  /** Datagram mode only: the addresses and the faulty delivery between them. */
  readonly datagrams: DatagramMedium | undefined;
  readonly #endpoints = new Map<string, MemoryAcceptor>();
  #nextConnection = 1;

  constructor(options: MemoryNetworkOptions = {}) {
    this.mode = options.mode ?? 'stream';
    this.maxDatagramBytes = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
    this.datagrams = this.mode === 'datagram' ? new DatagramMedium(options.faults) : undefined;
  }

  /**
   * Datagram mode: the faults every datagram sent from now on goes through. Set it to change
   * them mid-test (`network.faults = { loss: 1 }` loses everything until set back to `{}`).
   */
  get faults(): DatagramFaults {
    return this.#medium('faults').faults;
  }

  set faults(faults: DatagramFaults) {
    this.#medium('faults').faults = faults;
  }

  /** Datagram mode: what the faults did so far. */
  get faultStats(): Readonly<DatagramFaultStats> {
    return this.#medium('faultStats').stats;
  }

  /** Registers a listening endpoint; throws if the name is taken. */
  listen(name: string, acceptor: MemoryAcceptor): void {
    if (this.#endpoints.has(name)) throw new Error(`memory endpoint "${name}" is already listening`);
    this.#endpoints.set(name, acceptor);
  }

  unlisten(name: string): void {
    this.#endpoints.delete(name);
  }

  /**
   * Connects to `name`; rejects with `UNAVAILABLE` when nothing listens there. In datagram mode it
   * opens a socket aimed at `name` instead, which nothing needs to listen on yet (as UDP), and
   * whose datagrams are at most the smaller of `maxMessageBytes` and the network's limit.
   */
  async connect(name: string, handlers: ConnectionHandlers, maxMessageBytes: number): Promise<ClientConnection> {
    const connectionId = this.#nextConnection++;
    if (this.datagrams) {
      const maxDatagramBytes = Math.min(maxMessageBytes, this.maxDatagramBytes);
      return connectMemoryDatagram(
        this.datagrams,
        { name, address: `client-${connectionId}`, port: connectionId, maxDatagramBytes },
        handlers,
      );
    }
    const acceptor = this.#endpoints.get(name);
    if (!acceptor)
      throw new RpcError('UNAVAILABLE', `Nothing listens on memory://${name}`, { local: true, notExecuted: true });
    const [clientEnd, serverEnd] = createPipe(
      { transport: 'memory', address: name, port: 0 },
      { transport: 'memory', address: `client-${connectionId}`, port: connectionId },
      maxMessageBytes,
    );
    clientEnd.attach(handlers);
    acceptor(serverEnd);
    return {
      kind: 'memory',
      peer: clientEnd.peer,
      mode: 'stream',
      maxMessageBytes,
      send: (message) => clientEnd.send(message),
      close: () => clientEnd.close(),
    };
  }

  #medium(what: string): DatagramMedium {
    if (!this.datagrams)
      throw new TypeError(`${what} applies to a datagram memory network; this one is a stream network`);
    return this.datagrams;
  }
}

/** The network `memory://name` URLs resolve in when no other is given. */
export const defaultMemoryNetwork = new MemoryNetwork();

function createPipe(
  serverPeer: PeerAddress,
  clientPeer: PeerAddress,
  maxMessageBytes: number,
): [MemoryPipeEnd, MemoryPipeEnd] {
  let closed = false;
  const handlers: [ConnectionHandlers | undefined, ConnectionHandlers | undefined] = [undefined, undefined];
  const end = (self: 0 | 1, peer: PeerAddress): MemoryPipeEnd => ({
    peer,
    attach(h) {
      handlers[self] = h;
    },
    send(message) {
      if (closed || message.length > maxMessageBytes) return false;
      const copy = Buffer.from(message);
      queueMicrotask(() => {
        if (!closed) handlers[self === 0 ? 1 : 0]?.onMessage(copy);
      });
      return true;
    },
    close(reason) {
      if (closed) return;
      closed = true;
      queueMicrotask(() => {
        handlers[0]?.onClose(reason);
        handlers[1]?.onClose(reason);
      });
    },
  });
  return [end(0, serverPeer), end(1, clientPeer)];
}
