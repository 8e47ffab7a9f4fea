import { fileURLToPath } from 'node:url';
import {
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  loadPackageDefinition,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { AddInput, AddOutput, EchoInput, EchoOutput } from '../../system.js';

/**
 * The `volley.bench.Bench` service loaded from bench.proto at run time with @grpc/proto-loader —
 * the dynamic style of the grpc-node examples, no generated code. The loader options are the ones
 * those examples use; `keepCase` keeps `a`, `b`, `sum` and `message` as written in the .proto.
 * Dynamic loading is untyped, so the stub's two methods are typed here by hand.
 */
export type UnaryMethod<TRequest, TReply> = (
  request: TRequest,
  callback: (error: ServiceError | null, reply?: TReply) => void,
) => unknown;

/** A client of the Bench service: grpc-js adds one method per rpc. */
export interface BenchStub extends Client {
  Add: UnaryMethod<AddInput, AddOutput>;
  Echo: UnaryMethod<EchoInput, EchoOutput>;
}

interface BenchStubConstructor {
  new (address: string, credentials: ChannelCredentials, options?: ChannelOptions): BenchStub;
  /** What `server.addService` takes. */
  service: ServiceDefinition;
}

const PROTO_PATH = fileURLToPath(new URL('./bench.proto', import.meta.url));

const definition = loadSync(PROTO_PATH, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });

/** The Bench client constructor, with the service definition the server registers. */
export const BenchService = (loadPackageDefinition(definition) as any).volley.bench.Bench as BenchStubConstructor;
