import type { TransportStats } from './types.js';

/** A zeroed {@link TransportStats}. */
export function createTransportStats(): TransportStats {
  return {
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    foreignDropped: 0,
    oversizeRefused: 0,
    amplificationRefused: 0,
    connectionsRefused: 0,
    handshakeTimeouts: 0,
  };
}
