import { type AnyProcedure, type AnyRouter, describeRouter, procedure, type ServiceInfo } from '@volley/router';
import {
  DESCRIBE_PROCEDURE,
  HEALTH_PROCEDURE,
  type HealthReport,
  PROTOCOL_VERSION,
  type ServiceManifest,
  STATS_PROCEDURE,
  type StatsReport,
} from '@volley/wire';
import { z } from 'zod';
import type { CallStatsSnapshot } from './observe/call-stats.js';
import type { ServerStats, WorkerIdentity } from './server-stats.js';

/** Which built-in procedures a server answers; each is on unless turned off. */
export interface BuiltinOptions {
  /**
   * `$describe`: procedures, schemas and flags. Turn off to keep a service's shape private; that
   * turns `$stats` off too, unless `stats: true` says otherwise.
   */
  reflection?: boolean;
  /** `$health`: serving or draining, uptime, incarnation, and which worker answered. */
  health?: boolean;
  /**
   * `$stats`: per procedure and transport, calls by code, in flight, duration and size
   * histograms, and the server's counters (what `volley stats` shows). Default: on, except with
   * `reflection: false`: the report names every procedure that has been called, which is the
   * service's shape that option keeps private, and how busy it is. Needs `callStats` (on by
   * default); `stats: true` with `callStats: false` is an error.
   */
  stats?: boolean;
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
  /** The server's call statistics, when it keeps them (`$stats` answers them). */
  callStats: { snapshot(): CallStatsSnapshot } | undefined;
  /** The server's counters, current. */
  stats(): ServerStats;
}

const healthReport = z.object({
  status: z.enum(['serving', 'draining']),
  protocol: z.number().int(),
  uptimeMs: z.number(),
  inFlight: z.number().int(),
  incarnation: z.number().int(),
  worker: z.object({ id: z.number().int(), count: z.number().int(), pid: z.number().int() }).optional(),
});

const histogram = z.object({
  boundaries: z.array(z.number()).readonly(),
  counts: z.array(z.number()).readonly(),
  count: z.number(),
  sum: z.number(),
  min: z.number(),
  max: z.number(),
});

const statsReport = healthReport.extend({
  startedAt: z.number(),
  series: z
    .array(
      z.object({
        procedure: z.string(),
        transport: z.string(),
        calls: z.record(z.string(), z.number()),
        inFlight: z.number().int(),
        replayed: z.number(),
        dropped: z.number(),
        durationMs: histogram,
        requestBytes: histogram,
        responseBytes: histogram,
      }),
    )
    .readonly(),
  counters: z.record(z.string(), z.number()),
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
  const worker = state.worker && { ...state.worker, pid: process.pid };
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
  /** What `$health` says, and `$stats` repeats beside its statistics. */
  const health = (): HealthReport => ({
    status: state.isDraining() ? 'draining' : 'serving',
    protocol: PROTOCOL_VERSION,
    uptimeMs: Math.round(performance.now() - state.startedAt),
    inFlight: state.inFlight(),
    incarnation: state.incarnation,
    ...(worker !== undefined && { worker }),
  });
  if (options.health !== false) {
    builtins[HEALTH_PROCEDURE] = procedure
      .describe('Reports whether the server is serving or draining.')
      .output(healthReport)
      .idempotent()
      .handler(health);
  }
  const callStats = state.callStats;
  if (options.stats === true && callStats === undefined)
    throw new Error('stats: true needs the call statistics that callStats: false turns off');
  if (callStats !== undefined && (options.stats ?? options.reflection !== false)) {
    builtins[STATS_PROCEDURE] = procedure
      .describe('Reports calls by code, in flight and latency histograms per procedure and transport.')
      .output(statsReport)
      .idempotent()
      .handler((): StatsReport => {
        const { worker: _, ...counters } = state.stats();
        return { ...health(), ...callStats.snapshot(), counters };
      });
  }
  return builtins;
}
