export { echoRouter, MAX_SLOW_MS } from './router.js';
export type { EchoRouter } from './router.js';
