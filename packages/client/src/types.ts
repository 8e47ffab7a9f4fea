import type { AnyRouter, Procedure, Router, RouterRecord } from '@volley/router';
import type { CallOptions, ClientStats } from './call-options.js';

/** A procedure as the client sees it: optional input when the procedure takes none. */
export type ProcedureCaller<TInput, TOutput> = undefined extends TInput
  ? (input?: TInput, options?: CallOptions) => Promise<TOutput>
  : (input: TInput, options?: CallOptions) => Promise<TOutput>;

/** Maps a router's record to callable functions and nested namespaces. */
export type ClientProxy<TRecord extends RouterRecord> = {
  [K in keyof TRecord]: TRecord[K] extends Procedure<infer I, infer O>
    ? ProcedureCaller<I, O>
    : TRecord[K] extends Router<infer R>
      ? ClientProxy<R>
      : never;
};

/** Members every client has beside its procedures (their names are reserved at the top level). */
export interface ClientMethods {
  /** Untyped call by dotted name, for tools and dynamic code. */
  call(procedure: string, input?: unknown, options?: CallOptions): Promise<unknown>;
  /** One-way message: no reply, no retransmission. */
  notify(
    procedure: string,
    input?: unknown,
    options?: Pick<CallOptions, 'trace' | 'traceState' | 'auth' | 'metadata'>,
  ): Promise<void>;
  /** Fails pending calls with `CLOSED` and closes sockets. */
  close(): Promise<void>;
  readonly stats: ClientStats;
}

/** A typed client for router type `TRouter`. */
export type VolleyClient<TRouter extends AnyRouter> = ClientProxy<TRouter['record']> & ClientMethods;
