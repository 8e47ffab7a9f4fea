import { procedure, router } from '@volley/router';
import { createAppRouter } from '@volley/service-app';
import { isRpcError } from '@volley/wire';
import { z } from 'zod';

/** How one `probe.hold` handler ended, as the handler itself saw it. */
export interface HoldOutcome {
  /** `ctx.signal.aborted` when the handler stopped waiting. */
  aborted: boolean;
  /** `ctx.signal.reason.code` when the reason was an RpcError. */
  reasonCode: string | undefined;
}

/**
 * Procedures that let a test observe the server from inside a handler, without timing:
 * `probe.hold` runs until the test releases it or its signal fires, and records which;
 * `probe.big` returns as many characters as asked, to make replies of a chosen size.
 * `probe.holdIdempotent` and `probe.bigIdempotent` do the same as procedures declared idempotent,
 * whose replies the server does not keep unless it must (truncation, a cookie challenge).
 */
export function createProbe() {
  const outcomes: HoldOutcome[] = [];
  let releasers: (() => void)[] = [];
  let holding = 0;
  let bigExecutions = 0;
  const hold = async (signal: AbortSignal) => {
    holding++;
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      releasers.push(resolve);
    });
    holding--;
    outcomes.push({ aborted: signal.aborted, reasonCode: isRpcError(signal.reason) ? signal.reason.code : undefined });
    if (signal.aborted) throw signal.reason;
    return { released: true as const };
  };
  const big = (chars: number) => {
    bigExecutions++;
    return { text: 'x'.repeat(chars) };
  };
  const holdInput = z.object({}).optional();
  const bigInput = z.object({ chars: z.number().int().min(0).max(1_000_000) });
  const probeRouter = router({
    hold: procedure.input(holdInput).handler(({ ctx }) => hold(ctx.signal)),
    big: procedure.input(bigInput).handler(({ input }) => big(input.chars)),
    holdIdempotent: procedure.input(holdInput).idempotent().handler(({ ctx }) => hold(ctx.signal)),
    bigIdempotent: procedure.input(bigInput).idempotent().handler(({ input }) => big(input.chars)),
    /** How the server saw this call: its transport and what authenticated it below the router. */
    whoami: procedure.idempotent().handler(({ ctx }) => ({ transport: ctx.transport, signedBy: ctx.peer.signedBy ?? null, tls: ctx.peer.identity?.commonName ?? null })),
  });
  return {
    router: probeRouter,
    outcomes,
    /** `probe.hold` and `probe.holdIdempotent` handlers running now. */
    get holding() {
      return holding;
    },
    /** Times `probe.big` and `probe.bigIdempotent` ran. */
    get bigExecutions() {
      return bigExecutions;
    },
    /** Lets every held call running now return `{ released: true }`. */
    release() {
      const pending = releasers;
      releasers = [];
      for (const resolve of pending) resolve();
    },
  };
}

/** A probe: see {@link createProbe}. */
export type Probe = ReturnType<typeof createProbe>;

/** The app router (`echo.*`, `kv.*`) with the probe's procedures under `probe.*`. */
export function createTestRouter(probe: Probe) {
  return router({ ...createAppRouter().record, probe: probe.router });
}

/** The test router's type, for typed clients. */
export type TestRouter = ReturnType<typeof createTestRouter>;
