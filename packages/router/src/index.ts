export type { PeerIdentity } from '@volley/wire';
export type { BaseContext, CallerAddress } from './context.js';
export type { ServiceInfo } from './describe.js';
export { describeRouter } from './describe.js';
export type { LogFn, Logger } from './logger.js';
export type { AnyMiddleware, Middleware, MiddlewareOptions, MiddlewareResult } from './middleware.js';
export { middleware } from './middleware.js';
export type {
  AnyProcedure,
  HandlerOptions,
  inferProcedureInput,
  inferProcedureOutput,
  MaybePromise,
  Procedure,
  ProcedureDef,
} from './procedure.js';
export { ProcedureBuilder, procedure } from './procedure.js';
export type { AnyRouter, Router, RouterRecord } from './router.js';
export { router } from './router.js';
export type { InputIssue } from './schema-issues.js';
