export { DEFAULT_CLOSE_GRACE_MS } from './constants.js';
export { createServer } from './server.js';
export type { ListenOptions, ListeningAddresses, Server, ServerOptions } from './server.js';
export type { ServerStats } from './server-stats.js';
