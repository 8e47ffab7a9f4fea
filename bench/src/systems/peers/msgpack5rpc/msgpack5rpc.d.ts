/**
 * Types for the `msgpack5rpc` package (1.1.0), which ships none: one `Session` class, a
 * Msgpack-RPC endpoint attached to a writable and a readable stream (both ends of a socket).
 */
declare module 'msgpack5rpc' {
  import { EventEmitter } from 'node:events';

  namespace Session {
    /** The responder handed to a `request` listener; `send(error, true)` answers with an error. */
    interface Response {
      send(result: unknown, isError?: boolean): void;
    }
  }

  class Session extends EventEmitter {
    constructor(types?: readonly unknown[]);
    attach(writer: NodeJS.WritableStream, reader: NodeJS.ReadableStream): void;
    detach(): void;
    /** Sends `[0, msgid, method, params]`; the reply `[1, msgid, error, result]` calls back. */
    request(method: string, params: readonly unknown[], callback: (error: unknown, result: unknown) => void): void;
    notify(method: string, params: readonly unknown[]): void;
    on(event: 'request', listener: (method: string, params: unknown[], response: Session.Response) => void): this;
    on(event: 'notification', listener: (method: string, params: unknown[]) => void): this;
    on(event: 'detach', listener: () => void): this;
  }

  export = Session;
}
