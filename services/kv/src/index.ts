export { requireToken } from './auth.js';
export type { AuthenticatedContext, Principal, RequireTokenOptions, TokenGrant } from './auth.js';
export { createKvRouter } from './router.js';
export type { KvRouter, KvRouterOptions } from './router.js';
export { KvStore } from './store.js';
export type { KvEntry } from './store.js';
