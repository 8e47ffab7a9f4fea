import type { HistogramSnapshot } from './fixed-histogram.js';

/**
 * The shapes of Volley's built-in procedures: `$describe` (reflection, as gRPC server reflection
 * or OpenRPC's `rpc.discover`), `$health` (as gRPC's health service) and `$stats` (per-procedure
 * call statistics). They are protocol, not router detail: a tool written in any language reads
 * them to list, call, watch and generate clients.
 */

/**
 * Version of the envelope format and of these built-in shapes. It changes only when an old peer
 * could misread a new message; adding optional metadata or manifest fields does not change it.
 */
export const PROTOCOL_VERSION = 1;

/** Name of the reflection procedure; `$` names cannot be registered by users. */
export const DESCRIBE_PROCEDURE = '$describe';
/** Name of the health procedure. */
export const HEALTH_PROCEDURE = '$health';
/** Name of the statistics procedure. */
export const STATS_PROCEDURE = '$stats';

/** A JSON Schema document (draft 2020-12, as zod 4's `z.toJSONSchema` emits). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** One example call, shown by `volley describe` and in generated stubs. */
export interface ProcedureExample {
  readonly title?: string;
  readonly input?: unknown;
  readonly output?: unknown;
}

/** One procedure as `$describe` reports it. */
export interface ProcedureManifest {
  /** Full dotted name, as called (`kv.get`). */
  readonly name: string;
  readonly description?: string;
  /** Schema of what callers send; absent when the procedure declares no input. */
  readonly input?: JsonSchema;
  /**
   * Present when the procedure also accepts a call with no input at all (`.optional()` or a
   * default on its input schema), which JSON Schema cannot say of the whole value.
   */
  readonly inputOptional?: true;
  /** Schema of what callers receive; absent when the procedure declares no output (any value). */
  readonly output?: JsonSchema;
  /** Running it twice has the effect of once: clients may retry it after "may have executed". */
  readonly idempotent: boolean;
  /** Present when the procedure is deprecated: the reason, or `true`. */
  readonly deprecated?: string | true;
  /** Present when the procedure refuses inputs above this many bytes of MessagePack. */
  readonly maxInputBytes?: number;
  readonly examples?: readonly ProcedureExample[];
}

/** What `$describe` returns. */
export interface ServiceManifest {
  readonly protocol: number;
  /** Optional name and version the server was given. */
  readonly service?: { readonly name?: string; readonly version?: string };
  /** Every user procedure, sorted by name. Built-ins (`$…`) are not listed. */
  readonly procedures: readonly ProcedureManifest[];
}

/** What `$health` returns. */
export interface HealthReport {
  /** `serving` until `close()` starts; `draining` while in-flight calls finish. */
  readonly status: 'serving' | 'draining';
  readonly protocol: number;
  /** Milliseconds since the server was created. */
  readonly uptimeMs: number;
  /** Calls running at the moment of the check (this one excluded). */
  readonly inFlight: number;
  /** The server process's incarnation, as in its UDP replies' `i` (docs/protocol.md §5.7). */
  readonly incarnation: number;
  /**
   * Present when the server is one worker of several behind one port (`serveCluster`): which one
   * answered (`id`, 1 to `count`, kept by a replacement), how many there are, and its process id.
   */
  readonly worker?: { readonly id: number; readonly count: number; readonly pid: number };
}

/** One procedure over one transport in a {@link StatsReport}: counts since the server started. */
export interface StatsSeriesReport {
  /** A procedure the server has (built-ins included), or `_OTHER` for every name it does not. */
  readonly procedure: string;
  /** `udp`, `tcp`, `tls`, `unix` or `memory`. */
  readonly transport: string;
  /** Calls answered by code (`OK` always present), refusals before dispatch included. */
  readonly calls: Readonly<Record<string, number>>;
  /** Requests received and not answered yet. */
  readonly inFlight: number;
  /** Retransmissions answered from the reply cache, and fetches of truncated replies (not calls). */
  readonly replayed: number;
  /** Retransmissions of a call still running, dropped (not calls). */
  readonly dropped: number;
  /** Milliseconds from arrival to answer, per call. */
  readonly durationMs: HistogramSnapshot;
  /** Bytes of each call's request message. */
  readonly requestBytes: HistogramSnapshot;
  /** Bytes of each call's reply body (0 when none was sent). */
  readonly responseBytes: HistogramSnapshot;
}

/**
 * What `$stats` returns: the server's call statistics since it started (never reset: a watcher
 * subtracts two reports), with what `$health` says and the server's own counters.
 */
export interface StatsReport {
  readonly status: 'serving' | 'draining';
  readonly protocol: number;
  /** Milliseconds since the server was created, when the report was made. */
  readonly uptimeMs: number;
  /** Epoch milliseconds when the statistics began (the server's creation). */
  readonly startedAt: number;
  /** Changes when the process restarts: counts from another incarnation cannot be subtracted. */
  readonly incarnation: number;
  /** As in {@link HealthReport}: present when the server is one worker of several. */
  readonly worker?: { readonly id: number; readonly count: number; readonly pid: number };
  /** Calls running at the moment of the report (this one excluded). */
  readonly inFlight: number;
  /** One entry per procedure and transport that has seen a request, by procedure then transport. */
  readonly series: readonly StatsSeriesReport[];
  /**
   * The server's counters (the reference server's `server.stats`: `calls`, `malformed`,
   * `duplicatesDropped`, `replyCacheHits`, `overloadRejected`, …), by name.
   */
  readonly counters: Readonly<Record<string, number>>;
}
