/** How idle connections are spread over client children. */
export interface ConnectionPlan {
  /** Connections to open in all: fewer than asked only when the server could not hold them. */
  connections: number;
  /** Connections per client child. */
  perClient: number[];
}

/** Descriptors kept free in every process for its listener, IPC, stdio and node's own. */
export const SPARE_FDS = 256;
/**
 * At most this many connections per client child, even with a high limit: several children set
 * connections up in parallel, and none holds a descriptor table the size of the server's.
 */
export const MAX_CONNECTIONS_PER_CLIENT = 4_000;

/**
 * Splits `wanted` connections evenly over as few client children as keep each at most
 * {@link MAX_CONNECTIONS_PER_CLIENT}. Every process inherits the same open-files limit (node has
 * no setrlimit) and the server holds all the connections, so when the limit cannot fit `wanted`
 * plus spares the plan shrinks, and the report says so; a client then never needs more than the
 * server.
 */
export function planConnections(wanted: number, openFilesLimit: number): ConnectionPlan {
  const room = Math.max(0, Math.min(openFilesLimit, Number.MAX_SAFE_INTEGER) - SPARE_FDS);
  const connections = Math.min(wanted, room);
  if (connections === 0) return { connections: 0, perClient: [] };
  const clients = Math.ceil(connections / MAX_CONNECTIONS_PER_CLIENT);
  const perClient = Array.from(
    { length: clients },
    (_, i) => Math.floor(connections / clients) + (i < connections % clients ? 1 : 0),
  );
  return { connections, perClient };
}
