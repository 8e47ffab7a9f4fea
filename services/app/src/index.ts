export { createAppRouter } from './app-router.js';
export type { AppRouter } from './app-router.js';
