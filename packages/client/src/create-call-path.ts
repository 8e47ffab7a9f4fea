import type { CallHost, CallPath } from './call-path.js';
import type { ClientCoreOptions } from './client-core-options.js';
import { DatagramCallPath } from './datagram/datagram-call-path.js';
import type { Connector } from './reconnecting-connection.js';
import { StreamCallPath } from './stream/stream-call-path.js';

/**
 * The one place that picks how calls travel, once per client: a datagram path (with a stream
 * path as its TCP route when `options.fallback` is set), or a stream path. Nothing downstream
 * asks again.
 */
export function createCallPath(connect: Connector, options: ClientCoreOptions, host: CallHost): CallPath {
  const stream = {
    ...(options.keepalive && { keepalive: options.keepalive }),
    ...(options.reconnect && { reconnect: options.reconnect }),
  };
  if (options.mode === 'stream') return new StreamCallPath(connect, host, stream);
  const fallback =
    options.fallback &&
    new StreamCallPath(options.fallback, host, {
      ...stream,
      clientId: host.clientId,
      ...(options.fallbackTarget !== undefined && { routeTarget: options.fallbackTarget }),
    });
  return new DatagramCallPath(connect, host, options, fallback);
}
