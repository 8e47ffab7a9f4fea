/**
 * @internal What the other @volley packages share with @volley/router but users should not build
 * on: no stability promise, any release may change it. Import it as `@volley/router/internal`; the
 * layering check lets only @volley packages (and tests) do so.
 */

export type { CompiledProcedure, CompiledRouter } from './compile.js';
export { compileRouter } from './compile.js';
export type { CallResult } from './dispatch.js';
export { dispatch, dispatchProcedure, INTERNAL_MESSAGE } from './dispatch.js';
export { flattenRouter } from './router.js';
export { toInputIssues } from './schema-issues.js';
