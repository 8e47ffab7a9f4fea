import type { WireError } from './rpc-error.js';

/**
 * Envelope kinds, the first element of every envelope array. 0–2 are MessagePack-RPC's own
 * (request, response, notification), so msgpack-rpc peers interoperate; 3–6 are Volley's.
 */
export const KIND = {
  request: 0,
  response: 1,
  notification: 2,
  cancel: 3,
  ping: 4,
  pong: 5,
  goaway: 6,
  signed: 7,
} as const;

/** Metadata a caller attaches to a request, notification or cancel (optional trailing map). */
export interface RequestMeta {
  /** Milliseconds the caller will still wait, measured when the request was sent. Wire key `d`. */
  deadlineMs?: number;
  /** 1 for the first transmission, 2 for the first retransmission, ... Wire key `a`. */
  attempt?: number;
  /** Random 8-byte id of the calling client (UDP). Wire key `c`. */
  clientId?: Uint8Array;
  /**
   * Server incarnation (wire key `i`, uint32) the client had learned when it first sent this
   * call; only on retransmissions. A server with another incarnation refuses to run a
   * non-idempotent call carrying it: the call may have run in the process that died.
   */
  incarnation?: number;
  /** W3C `traceparent` or any opaque trace token. Wire key `t`. */
  trace?: string;
  /** W3C `tracestate`, sent when the caller's trace context has one. Wire key `ts`. */
  traceState?: string;
  /**
   * Credentials (wire key `au`): an opaque token for authentication middleware. Travels in clear
   * unless the transport is TLS or the datagram is signed: see docs/security.md.
   */
  auth?: string;
  /**
   * Address cookie (wire key `ck`, 16 bytes): echoed from a server's challenge to prove this
   * client receives datagrams at its source address, so the server may answer with more than
   * 3× the bytes it received (anti-amplification, RFC 9000 §8; DNS cookies, RFC 7873).
   */
  cookie?: Uint8Array;
  /**
   * Fetch only (wire key `fo`): the request repeats a UDP call whose reply came back truncated;
   * the server answers from its reply cache and never runs the handler for it.
   */
  fetchOnly?: boolean;
  /**
   * Application metadata (wire key `md`): string keys to string values, as gRPC's custom
   * metadata, for middleware and handlers (`ctx.meta.metadata`). Volley itself never reads it.
   */
  metadata?: Record<string, string>;
}

/** Metadata a server attaches to a response (UDP). */
export interface ResponseMeta {
  /** The request attempt this reply answers (wire key `a`), so every reply is a clean RTT sample. */
  attempt?: number;
  /** The client id of the request answered (wire key `c`): a reply must match it to be accepted. */
  clientId?: Uint8Array;
  /**
   * The answering server's incarnation (wire key `i`, uint32): random per process start, so a
   * client can tell a restarted server from the one it first sent a call to.
   */
  incarnation?: number;
  /**
   * A challenge (wire key `ck`, 16 bytes): the reply would exceed 3× the request's bytes and the
   * source address is not validated; the response holds neither result nor error. The client
   * repeats the request with this cookie, and the server answers in full (from its reply cache,
   * without running the handler again).
   */
  cookie?: Uint8Array;
  /**
   * True when the reply did not fit a datagram (wire key `tc`, DNS's TC bit): the response holds
   * neither result nor error, and the client fetches the reply over TCP with the same client id
   * and msgid, which the server answers from its reply cache without running the handler again.
   */
  truncated?: boolean;
}

/** `[0, id, method, params, meta?]`: a call that expects a response. */
export interface RequestEnvelope {
  kind: typeof KIND.request;
  id: number;
  method: string;
  /** The single procedure input (`params[0]`); `undefined` when `params` is empty. */
  input: unknown;
  meta?: RequestMeta;
}

/** `[1, id, error, result, meta?]`: exactly one of `error` and `result` is meaningful. */
export interface ResponseEnvelope {
  kind: typeof KIND.response;
  /** `null` only when answering a request whose id could not be read. */
  id: number | null;
  error?: WireError;
  result?: unknown;
  meta?: ResponseMeta;
}

/** `[2, method, params, meta?]`: one-way, never answered. */
export interface NotificationEnvelope {
  kind: typeof KIND.notification;
  method: string;
  input: unknown;
  meta?: RequestMeta;
}

/** `[3, id, meta?]`: the caller no longer wants the reply to request `id`. */
export interface CancelEnvelope {
  kind: typeof KIND.cancel;
  id: number;
  meta?: RequestMeta;
}

/** `[4, id]`: liveness probe; the peer answers with a pong carrying the same id. */
export interface PingEnvelope {
  kind: typeof KIND.ping;
  id: number;
}

/** `[5, id]`: answer to a ping. */
export interface PongEnvelope {
  kind: typeof KIND.pong;
  id: number;
}

/** `[6, reason]`: the server takes no new calls on this connection; in-flight calls still finish. */
export interface GoawayEnvelope {
  kind: typeof KIND.goaway;
  reason: string;
}

/**
 * `[7, keyId, audience, timestamp, inner, mac]`: another envelope's bytes with an HMAC-SHA256
 * over them, where TLS is not available or does not authenticate the client (DNS TSIG, RFC 8945,
 * is the model). See signing.ts.
 */
export interface SignedEnvelope {
  kind: typeof KIND.signed;
  keyId: string;
  /** The destination the signature is bound to: the name the client calls the server by. */
  audience: string;
  /** Signing time, seconds since the Unix epoch. */
  timestamp: number;
  /** The encoded envelope that is signed. */
  inner: Uint8Array;
  /** HMAC-SHA256 over the key id, audience, timestamp and inner bytes (32 bytes). */
  mac: Uint8Array;
}

/** Every message that crosses the wire. */
export type Envelope =
  | SignedEnvelope
  | RequestEnvelope
  | ResponseEnvelope
  | NotificationEnvelope
  | CancelEnvelope
  | PingEnvelope
  | PongEnvelope
  | GoawayEnvelope;
