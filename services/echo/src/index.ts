export type { EchoRouter } from './router.js';
export { echoRouter, MAX_SLOW_MS } from './router.js';
