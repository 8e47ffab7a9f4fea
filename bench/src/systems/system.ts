/**
 * The contract every benchmarked system meets — raw sockets (the limit), Volley, and the peers
 * users would otherwise pick — so one harness can run them all with the same payloads, each
 * server in its own process and each client in its own process.
 *
 * A system is a pair of modules:
 * - a **server module** (loaded in a server child process) exporting `startServer`;
 * - a **client module** (loaded in a client child process) exporting `connectClient`.
 * Both run from TypeScript through tsx with the `@volley/source` condition, like `npm start`.
 */

/** `{a, b} → {sum}`: the small-request scenario. */
export interface AddInput {
  a: number;
  b: number;
}
export interface AddOutput {
  sum: number;
}

/** `{message} → {message}`: the echo scenario (a 4 KiB string, and the payload-size sweep). */
export interface EchoInput {
  message: string;
}
export interface EchoOutput {
  message: string;
}

/** Where a server listens: TCP/UDP/HTTP/HTTP2 on loopback, or a Unix socket path. */
export type SystemAddress = { readonly host: string; readonly port: number } | { readonly path: string };

/** A started server, inside the server child. */
export interface RunningServer {
  readonly address: SystemAddress;
  close(): Promise<void>;
}

/** What a server module exports. `host` is always 127.0.0.1; `path` is set for Unix-socket systems. */
export interface ServerModule {
  startServer(options: { host: string; path?: string }): Promise<RunningServer>;
}

/**
 * A connected client, inside a client child. One client = one connection (or one UDP socket);
 * with 64 calls outstanding the harness calls it 64 times concurrently, so a system that can
 * multiplex must, and one that cannot (HTTP/1.1 without pipelining) says so in its definition.
 */
export interface BenchClient {
  add(input: AddInput): Promise<AddOutput>;
  echo(input: EchoInput): Promise<EchoOutput>;
  /** Requests sent again after a loss (UDP retransmissions); 0 or absent elsewhere. */
  resends?(): number;
  close(): Promise<void>;
}

/** What a client module exports. */
export interface ClientModule {
  connectClient(address: SystemAddress): Promise<BenchClient>;
}

/** Which family a system belongs to, for the report's grouping. */
export type SystemGroup = 'limit' | 'volley' | 'peer';

/** One system as the harness lists it. */
export interface SystemDefinition {
  /** Stable id used in tables, JSON and `--systems` filters: `raw-tcp`, `volley-udp-once`, `grpc`. */
  readonly id: string;
  /** Human label: `raw node:net (coalesced)`, `Volley UDP, non-idempotent`, `@grpc/grpc-js unary`. */
  readonly label: string;
  readonly group: SystemGroup;
  /** Transport as users know it: `tcp`, `udp`, `unix`, `http/1.1`, `http/2`. */
  readonly transport: string;
  /**
   * The system this one's ratios are computed against: the limit (`raw-tcp` or `raw-udp`), or
   * for a variant of Volley that only adds something (tracing), the Volley system it adds to.
   */
  readonly baseline: 'raw-tcp' | 'raw-udp' | 'volley-tcp';
  /** True when one client connection carries many calls at once (HTTP/1.1 keeps one at a time). */
  readonly multiplexes: boolean;
  /** Absolute file URL of the server module. */
  readonly serverModule: URL;
  /** Absolute file URL of the client module. */
  readonly clientModule: URL;
  /** Payloads it runs; all when absent. */
  readonly payloads?: readonly ('add' | 'echo-4k')[];
}
