import type { PeerIdentity, RpcError } from '@volley/wire';

/** Which transport carried a message. */
export type TransportKind = 'udp' | 'tcp' | 'tls' | 'unix' | 'memory';

/** Where a message came from or goes to. For Unix sockets `address` is the path and `port` is 0. */
export interface PeerAddress {
  readonly transport: TransportKind;
  readonly address: string;
  readonly port: number;
  /** TLS only: the peer's verified certificate (a client's under mTLS, the server's on a client). */
  readonly identity?: PeerIdentity;
  /** Set by a server that checks signatures: the key id of the valid signature this message carried. */
  readonly signedBy?: string;
}

/**
 * How a transport carries messages, after the Berkeley socket types: `datagram` (SOCK_DGRAM, UDP:
 * no connection, each message stands alone and may be lost, duplicated or reordered) or `stream`
 * (SOCK_STREAM, TCP, TLS, Unix sockets, memory: an ordered connection of length-framed messages).
 * Channels and client connections are unions on it, so code narrows instead of testing a flag.
 */
export type DeliveryMode = 'datagram' | 'stream';

/** What every server-side channel offers, whatever its mode. */
interface ChannelBase {
  readonly kind: TransportKind;
  readonly peer: PeerAddress;
  /** Largest encoded envelope this channel will send (datagram or frame limit). */
  readonly maxMessageBytes: number;
  /**
   * Sends one encoded envelope. Returns false, sending nothing, when the channel is closed, the
   * message exceeds `maxMessageBytes`, or (datagrams) it exceeds `sendBudget`. The buffer must not
   * be modified afterwards.
   */
  send(message: Uint8Array): boolean;
}

/**
 * The reply path to the sender of one datagram. There is no connection, so nothing to close; the
 * sender's address is unproven (it may be spoofed), so what it may be sent is budgeted.
 */
export interface DatagramChannel extends ChannelBase {
  readonly mode: 'datagram';
  /**
   * Bytes this channel may still send before its peer has proved that it receives at its address
   * (anti-amplification, RFC 9000 §8): `UNVALIDATED_REPLY_FACTOR` (3) times the datagram it
   * answers, less what was already sent; `Infinity` once {@link validate}d. `send` refuses
   * (returns false) anything above it, so no path can reflect more, and a caller that wants to do
   * better (a cookie challenge) reads it first.
   */
  readonly sendBudget: number;
  /** The peer proved its address (a valid cookie): lifts `sendBudget`. */
  validate(): void;
}

/** One stream connection, as the server sees it. Its peer proved its address in the handshake. */
export interface StreamChannel extends ChannelBase {
  readonly mode: 'stream';
  /** Closes the connection (logged by the listener's `onChannelClose`). */
  close(reason?: RpcError): void;
}

/**
 * The server's view of one conversation: a stream connection, or the sender of one datagram.
 * Replies to a message go back through the channel it arrived on.
 */
export type Channel = DatagramChannel | StreamChannel;

/**
 * Why a server transport turned a connection away before it carried a frame. Plain data, not an
 * `Error`: these are expected (overload, attack traffic), so there is no stack worth logging.
 */
export interface ConnectionRefusal {
  /**
   * `MAX_CONNECTIONS`: the listener's `maxConnections` were open, so it was closed on arrival.
   * `HANDSHAKE_TIMEOUT`: (TLS) its handshake did not finish in time, so it was destroyed.
   */
  readonly code: 'MAX_CONNECTIONS' | 'HANDSHAKE_TIMEOUT';
  /** One line saying which limit, with its value. */
  readonly message: string;
}

/** Callbacks a server transport drives. All are called synchronously from socket events. */
export interface TransportListener {
  /** One whole envelope's bytes. The buffer may be a view of a socket chunk: decode, don't keep. */
  onMessage(message: Buffer, channel: Channel): void;
  /** A stream connection opened (never called for datagrams). */
  onChannelOpen?(channel: StreamChannel): void;
  /**
   * A stream connection closed; `reason` is set when it closed because of an error or bad frame,
   * not for a normal close (the peer's, ours, or an idle close `onChannelIdle` agreed to).
   */
  onChannelClose?(channel: StreamChannel, reason?: Error): void;
  /** A stream connection has been silent past the idle timeout: return true to close it. */
  onChannelIdle?(channel: StreamChannel): boolean;
  /** A socket-level problem that closed nothing (for example a UDP send failure); for logging. */
  onTransportError?(error: Error, peer?: PeerAddress): void;
  /**
   * A connection turned away before it carried a frame (stream transports); already counted in
   * the transport's stats. Expect floods of these under attack: log them rate-limited.
   */
  onConnectionRefused?(refusal: ConnectionRefusal, peer?: PeerAddress): void;
}

/** Where a server transport ended up listening. */
export interface BoundAddress {
  readonly transport: TransportKind;
  /** Host address, Unix socket path, or memory endpoint name. */
  readonly address: string;
  readonly port: number;
}

/** The server side of a transport: binds, delivers messages, stops. */
export interface ServerTransport {
  readonly kind: TransportKind;
  /** Binds and starts delivering messages to `listener`. */
  listen(listener: TransportListener): Promise<BoundAddress>;
  /** Stops accepting new connections (streams); existing connections and UDP keep working. */
  stopAccepting(): void;
  /** Closes every connection and the listening socket. */
  close(): Promise<void>;
}

/** Callbacks a client connection drives. */
export interface ConnectionHandlers {
  /** One whole envelope from the server. */
  onMessage(message: Buffer): void;
  /** The connection is gone (streams) or the socket closed (UDP); `reason` set on error. */
  onClose(reason?: Error): void;
  /**
   * UDP: the server's host answered a datagram with ICMP port-unreachable (`ECONNREFUSED` on the
   * connected socket): nothing listened there when it arrived. The socket stays open and usable;
   * which datagram drew the error is unknown (ICMP errors are not matched to sends).
   */
  onUnreachable?(error: Error): void;
}

/** What every client connection offers, whatever its mode. */
interface ConnectionBase {
  readonly kind: TransportKind;
  readonly peer: PeerAddress;
  readonly maxMessageBytes: number;
  /** Sends one encoded envelope; false (nothing sent) when closed or too large. */
  send(message: Uint8Array): boolean;
  close(): void;
  /**
   * Lets the socket keep the process alive (Node's `ref`), or not (`unref`). A client refs its
   * sockets while calls are pending and unrefs them when idle, so a script that never closes it
   * still exits. Sockets start ref'd. Absent where there is no socket (memory).
   */
  ref?(): void;
  unref?(): void;
}

/** A UDP socket aimed at one server: sends datagrams, accepts datagrams from that address only. */
export interface DatagramConnection extends ConnectionBase {
  readonly mode: 'datagram';
}

/** One stream connection to a server. */
export interface StreamConnection extends ConnectionBase {
  readonly mode: 'stream';
  /** Drops the connection at once (a dead peer never completes a graceful close). */
  destroy?(reason?: Error): void;
}

/** The client side of a transport: one stream connection or one UDP socket aimed at a server. */
export type ClientConnection = DatagramConnection | StreamConnection;

/** Counters every transport endpoint keeps; cheap integer increments on the hot path. */
export interface TransportStats {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** UDP: datagrams from an address other than the server's; dropped unread. */
  foreignDropped: number;
  /** Messages refused by `send` because they exceed the size limit. */
  oversizeRefused: number;
  /** UDP server: replies refused by `send` because they exceed the sender's anti-amplification budget. */
  amplificationRefused: number;
  /** Stream listeners: connections closed on arrival because `maxConnections` were open. */
  connectionsRefused: number;
  /** TLS listeners: connections destroyed because their handshake did not finish in time. */
  handshakeTimeouts: number;
}
