export { createKvRouter } from './router.js';
export type { KvRouter } from './router.js';
export { KvStore } from './store.js';
export type { KvEntry } from './store.js';
