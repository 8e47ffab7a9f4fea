/**
 * What the scale suite measured: plain JSON data (no Maps, no undefined), so the harness can
 * write it beside the throughput results. Byte counts are bytes; derived figures (per
 * connection, per client, ratios) are left to the formatter.
 */

/** Server memory at one point, read after full garbage collections. */
export interface MemoryReading {
  /** VmRSS from /proc/<pid>/status. */
  rssBytes: number;
  /** V8 heap in use (process.memoryUsage().heapUsed). */
  heapUsedBytes: number;
  /** Memory of ArrayBuffers and Buffers outside the V8 heap. */
  arrayBuffersBytes: number;
}

/** Idle TCP connections held by one server. */
export interface IdleConnectionsResult {
  system: 'raw' | 'volley';
  /** Connections opened, each after one answered call. */
  connections: number;
  /** Client children the connections were spread over (each below its open-files limit). */
  clientProcesses: number;
  /** Descriptors the server gained: a check that it really holds every connection. */
  serverFdsOpened: number;
  /** Wall time to open them all, with their first call. */
  setupMs: number;
  before: MemoryReading;
  after: MemoryReading;
}

/** The UDP reply cache filled by distinct clients. */
export interface ReplyCacheResult {
  clients: number;
  answered: number;
  resends: number;
  /** Error replies by code (none expected). */
  errors: Record<string, number>;
  /** `server.stats` after the run. */
  cacheEntries: number;
  /** The cache's own accounting: reply bytes plus key and a fixed 128 bytes per entry. */
  cacheBytes: number;
  cacheEvictions: number;
  elapsedMs: number;
  before: MemoryReading;
  after: MemoryReading;
}

/** Echo throughput of both systems at one payload size. */
export interface PayloadSizeResult {
  sizeBytes: number;
  outstanding: number;
  durationMs: number;
  /** Null when that system's run failed (see `failures`). */
  rawCallsPerSecond: number | null;
  volleyCallsPerSecond: number | null;
  /** `<system>: <first line of the error>` for each run that failed. */
  failures: string[];
}

/** Everything `runScaleSuite` measured. A measurement that failed is listed in `failures`, not thrown. */
export interface ScaleResults {
  node: string;
  cpus: number;
  quick: boolean;
  idleConnections: IdleConnectionsResult[];
  replyCache: ReplyCacheResult | null;
  payloadSizes: PayloadSizeResult[];
  failures: { measurement: string; message: string }[];
}
