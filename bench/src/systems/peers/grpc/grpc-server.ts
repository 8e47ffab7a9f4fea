import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { AddInput, AddOutput, EchoInput, EchoOutput, RunningServer } from '../../system.js';
import { BenchService } from './bench-service.js';

/**
 * The gRPC peer's server: @grpc/grpc-js unary handlers over cleartext HTTP/2, written as the
 * grpc-node examples write them — `addService` with callback handlers, `bindAsync` with insecure
 * credentials. grpc-js logs nothing unless GRPC_VERBOSITY/GRPC_TRACE ask it to.
 */
export function startServer(options: { host: string }): Promise<RunningServer> {
  const server = new Server();
  server.addService(BenchService.service, {
    Add(call: ServerUnaryCall<AddInput, AddOutput>, callback: sendUnaryData<AddOutput>) {
      callback(null, { sum: call.request.a + call.request.b });
    },
    Echo(call: ServerUnaryCall<EchoInput, EchoOutput>, callback: sendUnaryData<EchoOutput>) {
      callback(null, { message: call.request.message });
    },
  });
  return new Promise((resolve, reject) => {
    server.bindAsync(`${options.host}:0`, ServerCredentials.createInsecure(), (error, port) => {
      if (error !== null) {
        reject(error);
        return;
      }
      resolve({
        address: { host: options.host, port },
        // forceShutdown, not tryShutdown: the bench closes after its clients, and a client child
        // that died must not hold the server child open.
        close: async () => server.forceShutdown(),
      });
    });
  });
}
