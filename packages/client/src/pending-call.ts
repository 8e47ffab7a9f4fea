import type { ClientConnection } from '@volley/transport';
import type { CallObserver } from './call-observer.js';
import type { CallEventListener, CallSizesListener } from './observe/call-events.js';
import type { TimerNode } from './timer-queue.js';

/** One call awaiting its reply. A class, so every pending call has the same shape. */
export class PendingCall implements TimerNode {
  readonly id: number;
  readonly method: string;
  readonly input: unknown;
  /** `performance.now()` at which the call times out. */
  readonly deadlineAt: number;
  readonly trace: string | undefined;
  /** The W3C `tracestate` sent with `trace`. */
  traceState: string | undefined = undefined;
  /** Credentials sent with every transmission of this call. */
  auth: string | undefined = undefined;
  /** Application metadata sent with every transmission of this call. */
  metadata: Record<string, string> | undefined = undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Where the request went; replies from elsewhere do not count. Undefined until first sent. */
  connection: ClientConnection | undefined;
  /** Transmissions so far (1 after the first send). */
  attempt = 0;
  /**
   * The server incarnation the client knew when it first transmitted this call (UDP), or, when it
   * knew none, the one adopted since (IncarnationLearner), echoed as `i` on retransmissions: a
   * server with another one refuses rather than runs it.
   */
  incarnation: number | undefined = undefined;
  /**
   * `performance.now()` of the first transmission (UDP): an incarnation revealed by a transmission
   * sent no later than this is adopted for good (IncarnationLearner).
   */
  firstSentAt = 0;
  /**
   * For an `incarnation` adopted after the first transmission: an upper bound of the send time of
   * the transmission whose reply revealed it; an earlier one is better evidence (IncarnationLearner).
   */
  incarnationRevealedBy = Number.POSITIVE_INFINITY;
  /** Its first retransmission waits for the incarnation probe (UDP; IncarnationLearner). */
  held = false;
  /** Made by the client for itself (the incarnation probe): not counted in `calls` or `timeouts`. */
  internal = false;
  /** `performance.now()` of the next retransmission (UDP), or Infinity. */
  retransmitAt = Number.POSITIVE_INFINITY;
  /** UDP: bit n−1 set once a reply echoing attempt n arrived (that datagram reached the server). */
  arrivedAttempts = 0;
  /** `performance.now()` of the latest transmission, for an RTT sample when its reply comes. */
  lastSentAt = 0;
  /** Waiting for a slot in the outstanding window; not sent yet. */
  queued = false;
  /** Holds a slot in the outstanding window, to be released when it settles. */
  holdsSlot = false;
  /** Its UDP reply came back truncated and is being fetched over TCP. */
  fetching = false;
  /** Moved to the TCP route (large request or truncated reply): never retransmitted. */
  onStream = false;
  // TimerQueue links: the call is its own list node, so scheduling allocates nothing.
  dueAt = 0;
  timerPrev: TimerNode | undefined = undefined;
  timerNext: TimerNode | undefined = undefined;
  timerList: TimerNode['timerList'] = undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Told how the call ended before its promise settles (a balancer's attempt), if anyone is. */
  observer: CallObserver | undefined = undefined;
  /** Told of retransmissions, cookie challenges and the like (the call's `onEvent` option). */
  onEvent: CallEventListener | undefined = undefined;
  /** Told the request's and reply's sizes as the call ends (the call's `onSizes` option). */
  onSizes: CallSizesListener | undefined = undefined;
  /** Bytes of the request as last transmitted; 0 until sent. */
  requestBytes = 0;
  /** Bytes of the reply message that answered the call; 0 until one did. */
  responseBytes = 0;

  constructor(
    id: number,
    method: string,
    input: unknown,
    deadlineAt: number,
    trace: string | undefined,
    resolve: (value: unknown) => void,
    reject: (error: Error) => void,
  ) {
    this.id = id;
    this.method = method;
    this.input = input;
    this.deadlineAt = deadlineAt;
    this.trace = trace;
    this.resolve = resolve;
    this.reject = reject;
  }

  /** True once the request has left for the server at least once: it may have executed. */
  get sent(): boolean {
    return this.attempt > 0;
  }
}
