import { type AnyProcedure, type AnyRouter, describeRouter, procedure, type ServiceInfo } from '@volley/router';
import {
  DESCRIBE_PROCEDURE,
  HEALTH_PROCEDURE,
  type HealthReport,
  PROTOCOL_VERSION,
  type ServiceManifest,
} from '@volley/wire';
import { z } from 'zod';
import type { WorkerIdentity } from './server-stats.js';

/** Which built-in procedures a server answers; both are on unless turned off. */
export interface BuiltinOptions {
  /** `$describe`: procedures, schemas and flags. Turn off to keep a service's shape private. */
  reflection?: boolean;
  /** `$health`: serving or draining, uptime, incarnation, and which worker answered. */
  health?: boolean;
  /** Name and version reported by `$describe`. */
  service?: ServiceInfo;
}

/** What the built-ins read from the running server. */
export interface BuiltinState {
  isDraining(): boolean;
  inFlight(): number;
  startedAt: number;
  incarnation: number;
  /** Set when the server is one worker of a cluster: reported as `worker` by `$health`. */
  worker: WorkerIdentity | undefined;
}

const healthReport = z.object({
  status: z.enum(['serving', 'draining']),
  protocol: z.number().int(),
  uptimeMs: z.number(),
  inFlight: z.number().int(),
  incarnation: z.number().int(),
  worker: z.object({ id: z.number().int(), count: z.number().int(), pid: z.number().int() }).optional(),
});

/**
 * The built-ins as ordinary procedures (idempotent, so they skip the reply cache), compiled beside
 * the user's router under `$` names users cannot take. The manifest is built once, on first use:
 * a router does not change while it is served.
 */
export function createBuiltins(
  root: AnyRouter,
  options: BuiltinOptions,
  state: BuiltinState,
): Record<string, AnyProcedure> {
  const builtins: Record<string, AnyProcedure> = {};
  if (options.reflection !== false) {
    let manifest: ServiceManifest | undefined;
    builtins[DESCRIBE_PROCEDURE] = procedure
      .describe('Lists every procedure with its input and output as JSON Schema and its flags.')
      .idempotent()
      .handler((): ServiceManifest => {
        manifest ??= describeRouter(root, options.service);
        return manifest;
      });
  }
  if (options.health !== false) {
    const worker = state.worker && { ...state.worker, pid: process.pid };
    builtins[HEALTH_PROCEDURE] = procedure
      .describe('Reports whether the server is serving or draining.')
      .output(healthReport)
      .idempotent()
      .handler(
        (): HealthReport => ({
          status: state.isDraining() ? 'draining' : 'serving',
          protocol: PROTOCOL_VERSION,
          uptimeMs: Math.round(performance.now() - state.startedAt),
          inFlight: state.inFlight(),
          incarnation: state.incarnation,
          ...(worker !== undefined && { worker }),
        }),
      );
  }
  return builtins;
}
