import { isCallerCaused } from './caller-caused.js';

/*
 * The names Volley's telemetry uses, shared by the server's and the client's tracing so both ends
 * of a call describe it alike. Keys and values follow OpenTelemetry's RPC semantic conventions
 * v1.37 (experimental: `rpc.system`, `rpc.service`, `rpc.method`; later versions rename them),
 * with Volley's own facts under `volley.*` and its code beside gRPC's `rpc.grpc.status_code` and
 * Connect's `rpc.connect_rpc.error_code`. docs/observability.md tabulates them.
 */

export const ATTR_RPC_SYSTEM = 'rpc.system';
export const ATTR_RPC_SERVICE = 'rpc.service';
export const ATTR_RPC_METHOD = 'rpc.method';
/** Volley's code for the call: `OK` or an ErrorCode. Set on every ended span, `OK` included. */
export const ATTR_RPC_VOLLEY_CODE = 'rpc.volley.code';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_NETWORK_PEER_ADDRESS = 'network.peer.address';
export const ATTR_NETWORK_PEER_PORT = 'network.peer.port';
export const ATTR_NETWORK_TRANSPORT = 'network.transport';
export const ATTR_NETWORK_TYPE = 'network.type';
export const ATTR_TLS_PROTOCOL_NAME = 'tls.protocol.name';
/** The code again, on spans whose status is ERROR (OpenTelemetry's recording-errors convention). */
export const ATTR_ERROR_TYPE = 'error.type';
/** Which transmission of the request this is, from 1 (metadata `a`); events carry it too. */
export const ATTR_VOLLEY_ATTEMPT = 'volley.attempt';
/** How the server answered: `dispatched`, `refused`, `replayed` or `dropped` (ServerAnswer). */
export const ATTR_VOLLEY_ANSWER = 'volley.answer';
/** Bytes of the request message as received. */
export const ATTR_VOLLEY_REQUEST_BYTES = 'volley.request.bytes';
/** Bytes of the reply body (before truncation or a cookie challenge); 0 when none was sent. */
export const ATTR_VOLLEY_REPLY_BYTES = 'volley.reply.bytes';

/** `rpc.system` for every Volley span. */
export const RPC_SYSTEM_VOLLEY = 'volley';
/**
 * Stands for a procedure the server does not have, in span names and `rpc.method`: the name is
 * whatever a peer sent, so it must not become a name (OpenTelemetry's `_OTHER`).
 */
export const OTHER_PROCEDURE = '_OTHER';

/** A procedure's names as the conventions split them. */
export interface RpcNames {
  /** `rpc.service`: everything before the last dot; undefined for a top-level procedure. */
  readonly service: string | undefined;
  /** `rpc.method`: the part after the last dot. */
  readonly method: string;
  /** `service/method`, or `method` alone: the span name. */
  readonly spanName: string;
}

/** The names of a procedure the server does not have (see {@link OTHER_PROCEDURE}). */
export const OTHER_RPC_NAMES: RpcNames = Object.freeze({
  service: undefined,
  method: OTHER_PROCEDURE,
  spanName: OTHER_PROCEDURE,
});

/**
 * Splits a dotted procedure at its last dot, as gRPC's `package.Service/Method`: `kv.get` is
 * service `kv`, method `get`, span `kv/get`; `admin.kv.get` is service `admin.kv`; `add` is
 * method `add` with no service.
 */
export function toRpcNames(procedure: string): RpcNames {
  const dot = procedure.lastIndexOf('.');
  if (dot <= 0 || dot === procedure.length - 1) return { service: undefined, method: procedure, spanName: procedure };
  const service = procedure.slice(0, dot);
  const method = procedure.slice(dot + 1);
  return { service, method, spanName: `${service}/${method}` };
}

/** Attributes that name a transport: `network.transport`, and `tls.protocol.name` for TLS. */
export type TransportAttributes = Readonly<Record<string, string>>;

/**
 * By Volley transport kind. TLS is TCP underneath (`network.transport` has no `tls`), told apart
 * by `tls.protocol.name`; the memory transport is in-process, `inproc` as gRPC names its own.
 */
const TRANSPORT_ATTRIBUTES: Readonly<Record<string, TransportAttributes>> = {
  udp: Object.freeze({ [ATTR_NETWORK_TRANSPORT]: 'udp' }),
  tcp: Object.freeze({ [ATTR_NETWORK_TRANSPORT]: 'tcp' }),
  tls: Object.freeze({ [ATTR_NETWORK_TRANSPORT]: 'tcp', [ATTR_TLS_PROTOCOL_NAME]: 'tls' }),
  unix: Object.freeze({ [ATTR_NETWORK_TRANSPORT]: 'unix' }),
  memory: Object.freeze({ [ATTR_NETWORK_TRANSPORT]: 'inproc' }),
};

/** The transport attributes of a Volley transport kind (`udp`, `tcp`, `tls`, `unix`, `memory`). */
export function toTransportAttributes(kind: string): TransportAttributes {
  return TRANSPORT_ATTRIBUTES[kind] ?? { [ATTR_NETWORK_TRANSPORT]: kind };
}

/** True for the kinds whose peers have IP addresses and ports (not Unix sockets or memory). */
export function isIpTransport(kind: string): boolean {
  return kind === 'udp' || kind === 'tcp' || kind === 'tls';
}

/** `network.type` of an IP address: `ipv6` when it has a colon, else `ipv4`. */
export function toNetworkType(address: string): 'ipv4' | 'ipv6' {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

/**
 * True when a SERVER span that ended with `code` gets status ERROR: the server failed (INTERNAL,
 * UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, CLOSED). A failure the caller caused
 * leaves the status unset, as gRPC's conventions do: it is the client span's error, not ours.
 */
export function isServerSpanError(code: string): boolean {
  return code !== 'OK' && !isCallerCaused(code);
}

/** True when a CLIENT span that ended with `code` gets status ERROR: every code but `OK`. */
export function isClientSpanError(code: string): boolean {
  return code !== 'OK';
}
