import type { MetricAttributes } from './metric-data.js';

/**
 * Attribute names on Volley's metrics: OpenTelemetry's RPC semantic conventions (v1.37) where
 * they have one, `*.volley.*` where Volley has its own. docs/observability.md lists them with the
 * Prometheus labels they become (dots turn into underscores: `rpc.method` → `rpc_method`).
 */
export const METRIC_ATTRIBUTE = {
  /** Always {@link RPC_SYSTEM}. */
  RPC_SYSTEM: 'rpc.system',
  /** The procedure's name up to its last dot (`kv` of `kv.get`); absent for a top-level procedure. */
  RPC_SERVICE: 'rpc.service',
  /** The procedure's name after its last dot (`get` of `kv.get`, `add` of `add`). */
  RPC_METHOD: 'rpc.method',
  /**
   * Volley's transport kind: `udp`, `tcp`, `unix` as the conventions have them, and `tls` and
   * `memory`, which they do not (TLS is not folded into `tcp`, so the two stay apart).
   */
  NETWORK_TRANSPORT: 'network.transport',
  /** `OK`, or the error code the caller was sent (docs/errors.md). */
  RPC_VOLLEY_CODE: 'rpc.volley.code',
  /** Why something was refused: a refusal's code (`MAX_CONNECTIONS`, `HANDSHAKE_TIMEOUT`). */
  ERROR_TYPE: 'error.type',
  /** The worker of a cluster (1 … N) the figures come from; absent for a single process. */
  VOLLEY_WORKER: 'volley.worker',
} as const;

/** `rpc.system` of every Volley call. */
export const RPC_SYSTEM = 'volley';

/** The procedure a peer named that the server does not have: never a label (unbounded values). */
export const OTHER_PROCEDURE = '_OTHER';

/**
 * A procedure's attributes on a transport: `kv.get` → `rpc.service` `kv`, `rpc.method` `get`;
 * `add` → `rpc.method` `add` and no service; `a.b.c` → `a.b` and `c` (the last dot splits, as
 * gRPC's `package.Service/Method`). A fresh object each time: callers extend it.
 */
export function rpcAttributes(procedure: string, transport: string): MetricAttributes {
  const dot = procedure.lastIndexOf('.');
  return dot <= 0 || dot === procedure.length - 1
    ? {
        [METRIC_ATTRIBUTE.RPC_SYSTEM]: RPC_SYSTEM,
        [METRIC_ATTRIBUTE.RPC_METHOD]: procedure,
        [METRIC_ATTRIBUTE.NETWORK_TRANSPORT]: transport,
      }
    : {
        [METRIC_ATTRIBUTE.RPC_SYSTEM]: RPC_SYSTEM,
        [METRIC_ATTRIBUTE.RPC_SERVICE]: procedure.slice(0, dot),
        [METRIC_ATTRIBUTE.RPC_METHOD]: procedure.slice(dot + 1),
        [METRIC_ATTRIBUTE.NETWORK_TRANSPORT]: transport,
      };
}
