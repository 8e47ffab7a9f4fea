export type { CallOptions, ClientStats } from './call-options.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, UDP_BACKOFF_FACTOR, UDP_FIRST_RETRANSMIT_MS, UDP_MAX_RETRANSMITS } from './constants.js';
export { createClient } from './create-client.js';
export type { ClientOptions } from './create-client.js';
export { parseEndpoint } from './endpoint.js';
export type { Endpoint } from './endpoint.js';
export type { ClientMethods, ClientProxy, ProcedureCaller, VolleyClient } from './types.js';
export { isRpcError, RpcError } from '@volley/wire';
export type { ErrorCode } from '@volley/wire';
