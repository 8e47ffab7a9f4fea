/**
 * How long `close()` lets in-flight calls finish before aborting them. 5 s is short enough for a
 * rolling deploy (Kubernetes' default termination grace is 30 s) and long enough for ordinary calls.
 */
export const DEFAULT_CLOSE_GRACE_MS = 5_000;

/**
 * A draining server keeps its UDP socket open, refusing calls as not executed, until no datagram
 * has arrived for this long (within the close grace period). UDP has no goaway: a client learns of
 * the drain from a refusal, and a request already on its way to a closed socket draws an ICMP
 * port-unreachable instead, which cannot say whether an earlier datagram of the call ran. 250 ms
 * is more than the client's first retransmission timeout (200 ms), so a lost refusal's
 * retransmission still finds the socket.
 */
export const DRAIN_UDP_QUIET_MS = 250;

/** Longest delay `setTimeout` honours (2^31-1 ms, about 24.8 days); Node turns longer ones into 1 ms. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Default byte cap of the UDP reply cache (encoded replies plus per-entry overhead), which is
 * real memory (see the overhead below): node-coap caps its duplicate cache at 32 MiB; 48 MiB lets
 * the default 100 000 entries of small replies fit (~420 B each, measured), so for typical calls
 * the entry cap, not the byte cap, decides. Replies above the datagram limit (truncated, fetched
 * over TCP) count in full.
 */
export const DEFAULT_REPLY_CACHE_MAX_BYTES = 48 * 1024 * 1024;

/** Default entry cap of the reply cache: bounds Map overhead when replies are tiny. */
export const DEFAULT_REPLY_CACHE_MAX_ENTRIES = 100_000;

/**
 * Bytes counted per cache entry beside the reply itself: entry object, Buffer object, key string
 * (a string), Map slot and boxed expiry. Measured, not guessed: the bench's scale suite (100 000
 * entries with ~21-byte replies) sees about 250 B of JS heap and 420 B of RSS per entry
 * (docs/performance.md), so 384 + reply + key keeps the byte cap an upper bound on real memory.
 */
export const REPLY_CACHE_ENTRY_OVERHEAD_BYTES = 384;

/**
 * How long a reply outlives the caller's deadline in the cache. A client never retransmits past
 * its deadline, but a datagram sent just before it may still be in flight: CoAP's
 * EXCHANGE_LIFETIME adds 2 × MAX_LATENCY for the same reason (RFC 7252 §4.8.2). 5 s covers any
 * LAN and most WANs.
 */
export const REPLY_CACHE_SLACK_MS = 5_000;

/** Reply lifetime when the request carried no deadline (a Volley client always sends one). */
export const REPLY_CACHE_DEFAULT_TTL_MS = 60_000;

/** Longest a reply is kept, whatever the deadline: CoAP's EXCHANGE_LIFETIME is 247 s. */
export const REPLY_CACHE_MAX_TTL_MS = 247_000;

/**
 * Default cap on calls running at once (asynchronous handlers; synchronous ones finish before the
 * next message is read). Beyond it new calls get RESOURCE_EXHAUSTED, not executed, rather than
 * queueing without bound or being dropped silently.
 */
export const DEFAULT_MAX_IN_FLIGHT = 4_096;

/**
 * Default cap on calls one stream connection may have running; beyond it RESOURCE_EXHAUSTED (not
 * executed). Keeps one greedy connection from taking the whole `maxInFlight` budget (HTTP/2
 * servers advertise 100–250 concurrent streams; request/reply calls are cheaper).
 */
export const DEFAULT_MAX_CALLS_PER_CONNECTION = 1_024;

/**
 * Address-cookie secrets rotate this often; a cookie made with the current or the previous secret
 * is accepted, so one stays valid for 5 to 10 minutes and rotation never breaks a client in
 * flight (RFC 9018 §4.3 rotates server secrets in the same two-key way).
 */
export const COOKIE_ROTATE_MS = 5 * 60_000;

/**
 * Signatures a server remembers (to drop replays) before it forgets the oldest early and refuses
 * anything signed before it. ~110 bytes each (a 16-char key, a Map slot, an expiry): 100 000 is
 * ~11 MB, and holds a 30 s skew window at 3 300 signed messages per second; above that rate the
 * refused horizon trails the present by 100 000 ÷ rate seconds (10 s at 10 000/s).
 */
export const DEFAULT_MAX_REMEMBERED_SIGNATURES = 100_000;

/**
 * Window of the server's log limiter: an event logged once is then only counted for this long,
 * and one line says how many more there were (the summary fail2ban and rsyslog's rate limits
 * read). 10 s keeps a flood of 100 000 malformed datagrams to a few lines a minute.
 */
export const LOG_SUMMARY_WINDOW_MS = 10_000;

/**
 * A worker that dies is replaced at once the first time; each further death of a worker that had
 * not lived {@link CLUSTER_STABLE_AFTER_MS} doubles the wait from this base up to
 * {@link CLUSTER_RESTART_MAX_MS}: Kubernetes' CrashLoopBackOff (10 s doubling to 5 min), scaled
 * down because a worker is a process, not a pod, and its siblings keep serving meanwhile.
 */
export const CLUSTER_RESTART_BASE_MS = 100;
/** The longest wait before replacing a worker in a crash loop. */
export const CLUSTER_RESTART_MAX_MS = 10_000;
/** A worker that lived this long counts as healthy: its death starts the backoff afresh. */
export const CLUSTER_STABLE_AFTER_MS = 10_000;
/**
 * How long the primary waits for a draining worker to exit before it kills it (SIGKILL): six
 * default drains (5 s each), and well inside systemd's default stop timeout (90 s).
 */
export const DEFAULT_CLUSTER_STOP_TIMEOUT_MS = 30_000;

/**
 * How long a cluster's primary waits for each worker's figures when metrics are collected. Well
 * inside Prometheus's default scrape timeout (10 s); a worker that cannot answer its IPC channel
 * within a second is left out of that scrape rather than holding every other worker's figures.
 */
export const CLUSTER_SNAPSHOT_TIMEOUT_MS = 1_000;
