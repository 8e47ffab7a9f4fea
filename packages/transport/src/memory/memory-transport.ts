import { DEFAULT_MAX_FRAME_BYTES } from '@volley/wire';
import type { ServerTransport, StreamChannel } from '../types.js';
import { createMemoryDatagramTransport } from './memory-datagram-transport.js';
import { defaultMemoryNetwork, type MemoryNetwork, type MemoryPipeEnd } from './memory-network.js';

/** Options for {@link createMemoryTransport}. */
export interface MemoryTransportOptions {
  /** Endpoint name; clients reach it as `memory://<name>`. */
  name: string;
  /** Default: the process-wide network. A datagram network makes this a datagram endpoint. */
  network?: MemoryNetwork;
  /** Largest frame (stream) or datagram (datagram; default the network's `maxDatagramBytes`). */
  maxMessageBytes?: number;
}

/**
 * Creates an in-process server transport, with no socket, for tests of every layer above the
 * transport: connection-oriented and ordered like TCP on a stream network (the default), or
 * datagrams like UDP, lost, duplicated and reordered as told, on a datagram network.
 */
export function createMemoryTransport(options: MemoryTransportOptions): ServerTransport {
  const network = options.network ?? defaultMemoryNetwork;
  if (network.datagrams)
    return createMemoryDatagramTransport(
      options.name,
      network.datagrams,
      options.maxMessageBytes ?? network.maxDatagramBytes,
    );
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const open = new Set<MemoryPipeEnd>();
  let listening = false;
  return {
    kind: 'memory',
    async listen(listener) {
      network.listen(options.name, (end) => {
        open.add(end);
        const channel: StreamChannel = {
          kind: 'memory',
          peer: end.peer,
          mode: 'stream',
          maxMessageBytes,
          send: (message) => end.send(message),
          close: (reason) => end.close(reason),
        };
        end.attach({
          onMessage: (message) => listener.onMessage(message, channel),
          onClose: (reason) => {
            open.delete(end);
            listener.onChannelClose?.(channel, reason);
          },
        });
        listener.onChannelOpen?.(channel);
      });
      listening = true;
      return { transport: 'memory', address: options.name, port: 0 };
    },
    stopAccepting() {
      if (listening) network.unlisten(options.name);
      listening = false;
    },
    async close() {
      this.stopAccepting();
      for (const end of open) end.close();
      open.clear();
    },
  };
}
