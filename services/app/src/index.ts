export type { AppRouter } from './app-router.js';
export { createAppRouter } from './app-router.js';
