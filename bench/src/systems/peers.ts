import type { SystemDefinition } from './system.js';

/**
 * The peers users would otherwise pick, each a dev dependency of bench/ only, each written as its
 * own users write it (see the header of each module under ./peers/): gRPC (grpc-js unary over
 * HTTP/2), tRPC v11 over HTTP/1.1 (httpBatchLink), msgpack5rpc over TCP, and plain JSON over
 * HTTP/1.1 (fastify server, undici Pool client). All are measured against raw TCP.
 */
function peer(id: string, label: string, transport: string, multiplexes: boolean): SystemDefinition {
  return {
    id,
    label,
    group: 'peer',
    transport,
    baseline: 'raw-tcp',
    multiplexes,
    serverModule: new URL(`./peers/${id}/${id}-server.ts`, import.meta.url),
    clientModule: new URL(`./peers/${id}/${id}-client.ts`, import.meta.url),
  };
}

export const PEER_SYSTEMS: readonly SystemDefinition[] = [
  // One HTTP/2 connection per client; concurrent calls are concurrent streams.
  peer('grpc', '@grpc/grpc-js unary (HTTP/2)', 'http/2', true),
  // HTTP/1.1 keep-alive, one request at a time per connection; but httpBatchLink packs the calls
  // of one tick into one request, so concurrency is had by batching, not by multiplexing.
  peer('trpc', 'tRPC v11 httpBatchLink (HTTP/1.1, batched)', 'http/1.1', false),
  // Msgpack-RPC matches replies by msgid: many calls in flight on one TCP connection.
  peer('msgpack5rpc', 'msgpack5rpc (Msgpack-RPC over TCP)', 'tcp', true),
  // One request at a time per keep-alive connection; the undici Pool opens up to 64.
  peer('fastify', 'fastify JSON POST + undici Pool (HTTP/1.1)', 'http/1.1', false),
];
