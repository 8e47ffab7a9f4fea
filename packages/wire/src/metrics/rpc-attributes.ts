import {
  ATTR_RPC_METHOD,
  ATTR_RPC_SERVICE,
  ATTR_RPC_SYSTEM,
  RPC_SYSTEM_VOLLEY,
  toRpcNames,
  toTransportAttributes,
} from '../telemetry-names.js';
import type { MetricAttributes } from './metric-data.js';

/**
 * The worker of a cluster (1 … N) a metric's figures come from; absent for a single process.
 * Metrics only: a span already names its process through its resource.
 */
export const ATTR_VOLLEY_WORKER = 'volley.worker';

/**
 * Which of several servers of one process (`serverMetrics([a, b])`, 1 … N in the order given) a
 * metric's figures come from; absent for one server.
 */
export const ATTR_VOLLEY_SERVER = 'volley.server';

/**
 * The attributes of a procedure's metrics on a transport, named as the tracing names them
 * (telemetry-names.ts): `kv.get` over UDP → `rpc.system` `volley`, `rpc.service` `kv`,
 * `rpc.method` `get`, `network.transport` `udp`; `add` has no `rpc.service`; TLS is
 * `network.transport` `tcp` with `tls.protocol.name` `tls`. A fresh object: callers extend it.
 */
export function rpcAttributes(procedure: string, transport: string): MetricAttributes {
  const { service, method } = toRpcNames(procedure);
  return {
    [ATTR_RPC_SYSTEM]: RPC_SYSTEM_VOLLEY,
    ...(service !== undefined && { [ATTR_RPC_SERVICE]: service }),
    [ATTR_RPC_METHOD]: method,
    ...toTransportAttributes(transport),
  };
}
