import { RpcError } from '@volley/wire';
import type { ClientConnection, ConnectionHandlers, PeerAddress } from '../types.js';

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

/**
 * A namespace of in-memory endpoints: lets every layer above be tested without a socket.
 * Messages are copied and delivered on a later microtask, as a real socket would, so no caller
 * can rely on synchronous delivery or shared buffers.
 */
export class MemoryNetwork {
  readonly #endpoints = new Map<string, MemoryAcceptor>();
  #nextConnection = 1;

  /** Registers a listening endpoint; throws if the name is taken. */
  listen(name: string, acceptor: MemoryAcceptor): void {
    if (this.#endpoints.has(name)) throw new Error(`memory endpoint "${name}" is already listening`);
    this.#endpoints.set(name, acceptor);
  }

  unlisten(name: string): void {
    this.#endpoints.delete(name);
  }

  /** Connects to `name`; rejects with `UNAVAILABLE` when nothing listens there. */
  async connect(name: string, handlers: ConnectionHandlers, maxMessageBytes: number): Promise<ClientConnection> {
    const acceptor = this.#endpoints.get(name);
    if (!acceptor) throw new RpcError('UNAVAILABLE', `Nothing listens on memory://${name}`, { local: true, notExecuted: true });
    const connectionId = this.#nextConnection++;
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
}

/** The network `memory://name` URLs resolve in when no other is given. */
export const defaultMemoryNetwork = new MemoryNetwork();

function createPipe(serverPeer: PeerAddress, clientPeer: PeerAddress, maxMessageBytes: number): [MemoryPipeEnd, MemoryPipeEnd] {
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
