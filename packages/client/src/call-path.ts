import type { ClientConnection } from '@volley/transport';
import type { Codec, Envelope, ResponseEnvelope, RpcError } from '@volley/wire';
import type { Logger } from 'pino';
import type { ClientStats } from './call-options.js';
import type { Notification } from './notification.js';
import type { PendingCall } from './pending-call.js';

/**
 * How calls reach one server and its replies come back: `DatagramCallPath` (UDP: retransmission,
 * outstanding window, client-id check, cookies, truncated replies fetched over its TCP route) or
 * `StreamCallPath` (one multiplexed connection: keepalive, goaway). A `ClientCore` holds one,
 * chosen once at construction (`createCallPath`), the way undici's client holds one HTTP/1 or
 * HTTP/2 context. Everything kept per destination lives in the path (RTT estimate, window,
 * cookie, server incarnation, connections), so a balancer can hold one path per endpoint.
 *
 * The path owns its connections and their events: it decodes and matches what arrives through
 * the {@link CallHost}, and the core never asks which mode a connection is in.
 */
export interface CallPath {
  /** The destination's retransmission timeout, ms, on a path that retransmits. */
  readonly rtoMs: number | undefined;
  /** Sends a new call, or queues it for a slot, and puts it in the timer queue either way. */
  start(call: PendingCall): void;
  /** The call's timer fired before its deadline (the core handles deadlines): resend if due, then reschedule. */
  onTimer(call: PendingCall): void;
  /** Tells the server a call sent on `connection` is cancelled (best effort; the core settles the call). */
  cancel(call: PendingCall, connection: ClientConnection): void;
  /** The call has just settled: frees what it held (a window slot, a retired connection). */
  release(call: PendingCall): void;
  /** Sends a one-way message; resolves once handed to the socket. */
  notify(notification: Notification): Promise<void>;
  /** Refs (a call is pending) or unrefs (none is) the path's sockets. */
  setReferenced(referenced: boolean): void;
  /** Closes every connection; pending calls have already been failed. */
  close(): void;
}

/**
 * A stream route that a datagram path hands calls to: its TCP fallback, for requests and replies
 * too large for a datagram. The call stays the datagram path's; the route only carries it.
 */
export interface FallbackRoute {
  /** Sends the call on the route's connection, opening it if needed; `why` names the reason in a failure to open it. */
  send(call: PendingCall, why: string): void;
  release(call: PendingCall): void;
  setReferenced(referenced: boolean): void;
  close(): void;
}

/**
 * What a path uses of the core: the work every path shares, so that it is written once. Calls
 * are the core's; a path reports what happened to them.
 */
export interface CallHost {
  readonly stats: ClientStats;
  readonly codec: Codec;
  /**
   * Random 64-bit id of this client, sent with every datagram request and kept on its TCP route:
   * with the msgid (which the core allocates) it names a call to the server's reply cache.
   */
  readonly clientId: Buffer;
  /** The server's URL, shown in error messages and logs. */
  readonly target: string;
  readonly logger: Logger | undefined;
  /** True while the call awaits its reply. */
  isLive(call: PendingCall): boolean;
  /** A snapshot of the calls awaiting replies. */
  pendingCalls(): PendingCall[];
  /**
   * Enters a call the path makes for itself (the incarnation probe) as pending under a new msgid,
   * and returns it: it is not counted in `calls` and never retried, and its outcome goes to the
   * callbacks it was made with, nobody else's.
   */
  register(create: (id: number) => PendingCall): PendingCall;
  /** (Re)schedules the call's timer `delayMs` from `now`. */
  schedule(call: PendingCall, delayMs: number, now?: number): void;
  /** Ends a call: with `error`, or with `value` when `error` is undefined. */
  settle(call: PendingCall, error: RpcError | undefined, value?: unknown): void;
  /**
   * The request for one transmission of `call` (see `requestMeta` for `clientId` and `cookie`),
   * or undefined after failing the call with BAD_REQUEST when its input cannot be encoded.
   */
  encodeRequest(
    call: PendingCall,
    now: number,
    clientId: Uint8Array | undefined,
    cookie: Uint8Array | undefined,
  ): Buffer | undefined;
  /** Hands the request to the connection and records the transmission; false after failing the call when it is closed. */
  sendRequest(call: PendingCall, connection: ClientConnection, bytes: Buffer, now: number): boolean;
  /** Decodes a message from the server, or counts and logs one that cannot be. */
  decode(bytes: Buffer): Envelope | undefined;
  /** The call a response answers, if it came on the connection the call was sent on; counts the rest. */
  match(response: ResponseEnvelope, connection: ClientConnection): PendingCall | undefined;
  /** Ends the call with the response's result or error. */
  answer(call: PendingCall, response: ResponseEnvelope): void;
  /** Fails every call waiting on a connection that closed: UNAVAILABLE, may have executed. */
  failCallsOn(connection: ClientConnection, reason?: Error): void;
}
