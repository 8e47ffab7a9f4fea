import type { Socket } from 'node:net';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_PARTIAL_FRAME_TIMEOUT_MS } from '../constants.js';
import type { PeerAddress, StreamChannel, TransportListener, TransportStats } from '../types.js';
import { FramedSocket } from './framed-socket.js';

/** Limits every accepted stream connection gets (TCP, Unix, TLS). */
export interface StreamChannelLimits {
  maxFrameBytes: number;
  partialFrameTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/**
 * Turns an accepted socket into a server {@link StreamChannel}: frames it, applies the limits, and
 * reports open, messages, idleness and close to the listener. `onGone` runs when it closes, so
 * the transport can forget the socket. Shared by the TCP/Unix and TLS transports.
 */
export function openStreamChannel(
  socket: Socket,
  peer: PeerAddress,
  setup: { limits: StreamChannelLimits; stats: TransportStats; listener: TransportListener; onGone(): void },
): StreamChannel {
  const { limits, stats, listener } = setup;
  const framed: FramedSocket = new FramedSocket(socket, {
    maxFrameBytes: limits.maxFrameBytes,
    stats,
    partialFrameTimeoutMs: limits.partialFrameTimeoutMs ?? DEFAULT_PARTIAL_FRAME_TIMEOUT_MS,
    idleTimeoutMs: limits.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    onIdle: () => listener.onChannelIdle?.(channel) ?? true,
    onFrame: (payload) => listener.onMessage(payload, channel),
    onClose: (reason) => {
      setup.onGone();
      listener.onChannelClose?.(channel, reason);
    },
  });
  const channel: StreamChannel = {
    kind: peer.transport,
    peer,
    mode: 'stream',
    maxMessageBytes: limits.maxFrameBytes,
    send: (message) => framed.send(message),
    close: (reason) => framed.close(reason),
  };
  listener.onChannelOpen?.(channel);
  return channel;
}
