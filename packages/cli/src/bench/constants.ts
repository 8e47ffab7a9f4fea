/** Workers when `--concurrency` is not given: enough to keep one multiplexed connection busy on a LAN, far below the UDP client's 256 outstanding calls per peer. */
export const DEFAULT_CONCURRENCY = 16;

/** Run length when neither `--duration` nor `--calls` is given (ghz and wrk also default to 10 s). */
export const DEFAULT_DURATION_MS = 10_000;

/** Clients when `--connections` is not given: one multiplexed connection shared by every worker, as ghz does. */
export const DEFAULT_CONNECTIONS = 1;

/** Live progress refresh: four times a second feels live and costs the load nothing measurable. */
export const PROGRESS_INTERVAL_MS = 250;

/** Linear buckets in the latency histogram, as ghz prints. */
export const HISTOGRAM_BUCKETS = 10;

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
