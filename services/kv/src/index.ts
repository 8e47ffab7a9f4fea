export type { AuthenticatedContext, Principal, RequireTokenOptions, TokenGrant } from './auth.js';
export { requireToken } from './auth.js';
export type { KvRouter, KvRouterOptions } from './router.js';
export { createKvRouter } from './router.js';
export type { KvEntry } from './store.js';
export { KvStore } from './store.js';
