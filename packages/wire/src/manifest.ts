/**
 * The shapes of Volley's built-in procedures: `$describe` (reflection, as gRPC server reflection
 * or OpenRPC's `rpc.discover`) and `$health` (as gRPC's health service). They are protocol, not
 * router detail: a tool written in any language reads them to list, call and generate clients.
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
