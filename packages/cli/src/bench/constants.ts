import { DEFAULT_MAX_OUTSTANDING } from '@volley/client/internal';

/** Workers when `--concurrency` is not given: enough to keep one multiplexed connection busy on a LAN, far below the UDP client's 256 outstanding calls per peer. */
export const DEFAULT_CONCURRENCY = 16;

/** Run length when neither `--duration` nor `--calls` is given (ghz and wrk also default to 10 s). */
export const DEFAULT_DURATION_MS = 10_000;

/** Clients when `--connections` is not given: one multiplexed connection shared by every worker, as ghz does. */
export const DEFAULT_CONNECTIONS = 1;

/** Live progress refresh: four times a second feels live and costs the load nothing measurable. */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * Mantissas of the latency histogram's bucket bounds: 1, 2 and 5 times a power of ten (…0.5, 1, 2,
 * 5, 10 ms…), the preferred-number series of oscilloscope and meter ranges. Fixed bounds make
 * two runs comparable bar by bar; three buckets a decade keep a tail decades out visible.
 */
export const HISTOGRAM_MANTISSAS = [1, 2, 5] as const;

/**
 * The lowest histogram bound: 1 µs. No call over a socket is faster, and it keeps a zero latency
 * (fake timers, a call that fails before any I/O) from asking for bounds down to nothing.
 */
export const HISTOGRAM_MIN_BOUND_MS = 0.001;

/** Width in characters of the longest histogram bar (ghz uses 40). */
export const HISTOGRAM_BAR_WIDTH = 40;

/**
 * Significant decimal digits the latency histogram keeps (HdrHistogram's `figures`): 3 means a
 * value is off by at most 0.1 %, far below the run-to-run noise of any benchmark.
 */
export const LATENCY_SIGNIFICANT_FIGURES = 3;

/**
 * A worker yields to the event loop (setImmediate) after this many calls in a row. A call that
 * fails locally can settle without I/O; without a yield the workers would spin on microtasks and
 * starve the progress timer, Ctrl-C and socket events. Real calls span event-loop turns anyway,
 * so one extra turn per 64 calls costs nothing measurable.
 */
export const CALLS_PER_YIELD = 64;

/**
 * Cap on calls in flight under `--rate`, per connection, when `--concurrency` is not given: the UDP
 * client's outstanding window per server (`DEFAULT_MAX_OUTSTANDING`, 256). Past it a UDP client
 * queues calls itself, so a higher cap adds nothing; a lower one would turn the open loop back
 * into a closed one, holding back the calls a slow server should be receiving.
 */
export const DEFAULT_RATE_MAX_IN_FLIGHT_PER_CONNECTION = DEFAULT_MAX_OUTSTANDING;

/**
 * Under `--rate`, a call counts as started late when it is issued more than this, or more than
 * one interval (1 s / rate) if that is longer, after its intended time. Timers fire on a
 * millisecond clock, often a millisecond late, so a tighter bound counts ordinary timer jitter:
 * at 2000 calls/s against a local server that kept up (2-core VM), 1 ms called 11 % of calls late,
 * 2 ms 2 %. Later than this means the event loop was busy or the cap was full.
 */
export const LATE_AFTER_MS = 2;

/**
 * `--warmup` when not given: none. A warm-up is opt-in so that `--calls N` still makes exactly N
 * calls to the server and a plain run behaves as it always has.
 */
export const DEFAULT_WARMUP_MS = 0;
