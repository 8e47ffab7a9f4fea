/** Every system listens on loopback: the bench measures the software, not a network. */
export const BENCH_HOST = '127.0.0.1';

/**
 * UDP datagram limit for Volley's UDP systems, on both ends: the 4 KiB echo needs more than the
 * 1200-byte default; 65 507 is the IPv4 maximum (MAX_UDP_PAYLOAD_BYTES), fine on loopback.
 */
export const BENCH_MAX_DATAGRAM_BYTES = 65_507;

/** Characters in the echo payload's string: the "4 KiB echo" (ASCII, so 4096 bytes). */
export const ECHO_CHARS = 4096;

/**
 * How often `volley-tcp-metrics` collects its metrics and writes them out as Prometheus text, in
 * the server and in the client process: every second, the shortest scrape interval anyone runs
 * (Prometheus defaults to 60 s, most setups 15–30 s), so the row shows an upper bound of what
 * metrics cost.
 */
export const METRICS_SCRAPE_INTERVAL_MS = 1_000;

/** `getconf CLK_TCK` on every Linux we run on; used when getconf is missing. */
export const FALLBACK_CLOCK_TICKS_PER_SECOND = 100;

/** Extra time a client child gets beyond warmup + duration before it is killed as hung. */
export const CLIENT_WATCHDOG_SLACK_MS = 30_000;

/** How long a child gets to exit after being asked to, before SIGKILL. */
export const CHILD_STOP_GRACE_MS = 3_000;

/** Node flags every child runs with: TypeScript sources through tsx, like `npm start`. */
export const CHILD_EXEC_ARGV: readonly string[] = ['--conditions=@volley/source', '--import', 'tsx'];
