import type { SystemDefinition } from './system.js';

/**
 * The peers users would otherwise pick, each a dev dependency of bench/ only: gRPC (grpc-js unary
 * over HTTP/2), tRPC v11 over HTTP (httpBatchLink), msgpack5rpc over TCP, and a plain
 * JSON-over-HTTP server (fastify). Filled in by bench/src/systems/peers/*.
 */
export const PEER_SYSTEMS: readonly SystemDefinition[] = [];
