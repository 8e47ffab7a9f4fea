export type { PeerIdentity } from '@volley/wire';
export {
  DEFAULT_FAULT_DELAY_MS,
  DEFAULT_MAX_DATAGRAM_BYTES,
  DEFAULT_UDP_RECV_BUFFER_BYTES,
  DEFAULT_UDP_SEND_BUFFER_BYTES,
  MAX_UDP_PAYLOAD_BYTES,
  UNVALIDATED_REPLY_FACTOR,
} from './constants.js';
export type { DatagramFaultStats, DatagramFaults } from './memory/datagram-faults.js';
export type { MemoryNetworkOptions } from './memory/memory-network.js';
export { defaultMemoryNetwork, MemoryNetwork } from './memory/memory-network.js';
export type { MemoryTransportOptions } from './memory/memory-transport.js';
export { createMemoryTransport } from './memory/memory-transport.js';
export type { ConnectStreamOptions } from './tcp/connect-stream.js';
export { connectStream } from './tcp/connect-stream.js';
export type { TcpTransport, TcpTransportOptions } from './tcp/tcp-transport.js';
export { createTcpTransport } from './tcp/tcp-transport.js';
export type { ConnectTlsOptions, TlsClientOptions } from './tls/connect-tls.js';
export { connectTls } from './tls/connect-tls.js';
export type { TlsTransport, TlsTransportOptions } from './tls/tls-transport.js';
export { createTlsTransport } from './tls/tls-transport.js';
export type {
  BoundAddress,
  Channel,
  ClientConnection,
  ConnectionHandlers,
  ConnectionRefusal,
  DatagramChannel,
  DatagramConnection,
  DeliveryMode,
  PeerAddress,
  ServerTransport,
  StreamChannel,
  StreamConnection,
  TransportKind,
  TransportListener,
  TransportStats,
} from './types.js';
export type { ConnectUdpOptions } from './udp/connect-udp.js';
export { connectUdp } from './udp/connect-udp.js';
export { canReuseUdpPort } from './udp/udp-reuse-port.js';
export type { UdpSocketOptions } from './udp/udp-socket.js';
export type { UdpTransport, UdpTransportOptions } from './udp/udp-transport.js';
export { createUdpTransport } from './udp/udp-transport.js';
