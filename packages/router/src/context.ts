import type { PeerIdentity, RequestMeta } from '@volley/wire';
import type { Logger } from './logger.js';

/** Who called, as the server saw it. Plain data: the router knows no transport. */
export interface CallerAddress {
  /** `udp`, `tcp`, `tls`, `unix` or `memory`. */
  readonly transport: string;
  readonly address: string;
  readonly port: number;
  /** Over mTLS: the caller's certificate, present only when it verified against the server's CA. */
  readonly identity?: PeerIdentity;
  /**
   * On a server with signing keys: the key id of the valid signature the request carried. With
   * neither `signedBy` nor `identity`, nothing authenticated the caller below the router.
   */
  readonly signedBy?: string;
}

/**
 * What every handler and middleware receives as `ctx`, before middleware adds to it.
 * Built by the server once per call.
 */
export interface BaseContext {
  /** Stable id for this call in logs: `<connection or client>/<msgid>`. */
  readonly requestId: string;
  /** Full dotted procedure name. */
  readonly procedure: string;
  /**
   * A child of the server's logger bound to `reqId` and the procedure (created on first use). Typed
   * as the pino-compatible {@link Logger} the server accepts; with pino it is a pino child.
   */
  readonly logger: Logger;
  readonly peer: CallerAddress;
  /** Transport kind, the same as `peer.transport`. */
  readonly transport: string;
  /** Absolute deadline (epoch ms) from the caller's timeout; `undefined` when the caller set none. */
  readonly deadline: number | undefined;
  /** Fires on client cancel, on the deadline, or when the server closes; `reason` is an RpcError. */
  readonly signal: AbortSignal;
  /** Request metadata as sent (deadline, attempt, client id, trace). */
  readonly meta: RequestMeta;
}
