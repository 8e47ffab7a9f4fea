import { credentials } from '@grpc/grpc-js';
import { requireHostPort } from '../../address.js';
import type { BenchClient, SystemAddress } from '../../system.js';
import { BenchService, type BenchStub, type UnaryMethod } from './bench-service.js';

/**
 * The gRPC peer's client: one grpc-js channel (one HTTP/2 connection) carrying every call as a
 * concurrent stream, each unary call wrapped in a Promise as grpc-js users do.
 *
 * `grpc.use_local_subchannel_pool` gives this client its own connection: by default grpc-js shares
 * one subchannel between all clients of a process that target the same address, which would break
 * the bench's "one client = one connection" contract whenever a process opens several clients.
 */

/** How long connectClient waits for the HTTP/2 connection before giving up. */
const CONNECT_TIMEOUT_MS = 5_000;

function call<TRequest, TReply>(
  stub: BenchStub,
  method: UnaryMethod<TRequest, TReply>,
  request: TRequest,
): Promise<TReply> {
  return new Promise((resolve, reject) => {
    method.call(stub, request, (error, reply) => (error === null ? resolve(reply as TReply) : reject(error)));
  });
}

export async function connectClient(address: SystemAddress): Promise<BenchClient> {
  const { host, port } = requireHostPort(address, 'grpc');
  const stub = new BenchService(`${host}:${port}`, credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  });
  // Connect now, so the first measured call does not pay for the HTTP/2 handshake.
  await new Promise<void>((resolve, reject) => {
    stub.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (error) => (error === undefined ? resolve() : reject(error)));
  });
  return {
    add: (input) => call(stub, stub.Add, input),
    echo: (input) => call(stub, stub.Echo, input),
    close: async () => stub.close(),
  };
}
