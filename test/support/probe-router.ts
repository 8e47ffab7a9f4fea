import { procedure, router } from '@volley/router';
import { createAppRouter } from '@volley/service-app';
import type { PeerIdentity } from '@volley/transport';
import { isRpcError, RpcError } from '@volley/wire';
import { z } from 'zod';

/** How one `probe.hold` handler ended, as the handler itself saw it. */
export interface HoldOutcome {
  /** `ctx.signal.aborted` when the handler stopped waiting. */
  aborted: boolean;
  /** `ctx.signal.reason.code` when the reason was an RpcError. */
  reasonCode: string | undefined;
}

/** What `probe.whoami` saw of its call's context, recorded for the test to inspect. */
export interface CallContext {
  transport: string;
  trace: string | undefined;
  auth: string | undefined;
  hasDeadline: boolean;
  /** Epoch ms of the deadline less the time it was read; undefined if it changed between two reads. */
  deadlineInMs: number | undefined;
  requestId: string;
}

/** Enough to prove at-most-once execution per request (the reliability fixtures' protocol). */
export interface CounterReport {
  /** Handler runs, all probe procedures together. */
  executions: number;
  /** Distinct request ids that ran at least once. */
  requests: number;
  /** The most times any one request id ran: 1 means every request ran at most once. */
  maxExecutionsPerRequest: number;
}

/** Options for {@link createProbe}. */
export interface ProbeOptions {
  /**
   * Called synchronously as `bump`, `bumpLater` or `peek` runs with input `n`, before the handler
   * returns: a fixture process that records it at once (a synchronous write) has every execution
   * on record even if it is SIGKILLed before it answers.
   */
  onInput?: (n: number) => void;
  /**
   * Keep the per-request and per-input run counts (default true). A fixture process that reports
   * each run through `onInput` turns this off: hundreds of thousands of entries would make its
   * garbage collector pause it, which a test measuring latency or load sees.
   */
  keepCounts?: boolean;
}

/**
 * The one test router's procedures, each letting a test observe the server from inside a handler
 * without timing. Every run is counted per `ctx.requestId` (over UDP `<client id hex>/<msgid>`:
 * exactly the identity a reply cache must deduplicate on).
 *
 * - `hold` runs until the test releases it or its signal fires, and records which;
 *   `holdIdempotent` is the same, declared idempotent.
 * - `big` returns as many characters as asked, to make replies of a chosen size; `bigIdempotent`
 *   too (the server keeps idempotent replies only when it must: truncation, a cookie challenge).
 * - `bump` (not idempotent: at most once per request however often it arrives), `bumpLater` (the
 *   same, answering a few event-loop turns later, so duplicates find it still running) and `peek`
 *   (idempotent) echo `{ n }` and count runs per input `n` as well.
 * - `add`, `integers`, `noInput`, `refuse`, `crash`, `wait` (until `ms` or its signal, recording
 *   aborts), `note` (for notifications) and `whoami` (the transport, the signer, the TLS identity,
 *   recording the context) cover the behaviours the conformance suite checks.
 */
export function createProbe(options: ProbeOptions = {}) {
  const outcomes: HoldOutcome[] = [];
  const aborts: { procedure: string; code: unknown }[] = [];
  const contexts: CallContext[] = [];
  const notes: unknown[] = [];
  const runsByRequest = new Map<string, number>();
  const runsByInput = new Map<number, number>();
  let releasers: (() => void)[] = [];
  let holding = 0;
  let bigExecutions = 0;
  let executions = 0;
  let maxExecutionsPerRequest = 0;
  const keepCounts = options.keepCounts ?? true;
  const count = (requestId: string): void => {
    executions++;
    if (!keepCounts) return;
    const runs = (runsByRequest.get(requestId) ?? 0) + 1;
    runsByRequest.set(requestId, runs);
    if (runs > maxExecutionsPerRequest) maxExecutionsPerRequest = runs;
  };
  const countInput = (n: number) => {
    if (keepCounts) runsByInput.set(n, (runsByInput.get(n) ?? 0) + 1);
    options.onInput?.(n);
    return { n };
  };
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
  const counted = z.object({ n: z.number() });
  const probeRouter = router({
    hold: procedure.input(holdInput).handler(({ ctx }) => {
      count(ctx.requestId);
      return hold(ctx.signal);
    }),
    holdIdempotent: procedure
      .input(holdInput)
      .idempotent()
      .handler(({ ctx }) => {
        count(ctx.requestId);
        return hold(ctx.signal);
      }),
    big: procedure.input(bigInput).handler(({ input, ctx }) => {
      count(ctx.requestId);
      return big(input.chars);
    }),
    bigIdempotent: procedure
      .input(bigInput)
      .idempotent()
      .handler(({ input, ctx }) => {
        count(ctx.requestId);
        return big(input.chars);
      }),
    bump: procedure.input(counted).handler(({ input, ctx }) => {
      count(ctx.requestId);
      return countInput(input.n);
    }),
    bumpLater: procedure.input(counted).handler(async ({ input, ctx }) => {
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
      count(ctx.requestId);
      return countInput(input.n);
    }),
    peek: procedure
      .input(counted)
      .idempotent()
      .handler(({ input, ctx }) => {
        count(ctx.requestId);
        return countInput(input.n);
      }),
    add: procedure
      .input(z.object({ a: z.number(), b: z.number() }))
      .output(z.object({ sum: z.number() }))
      .idempotent()
      .handler(({ input, ctx }) => {
        count(ctx.requestId);
        return { sum: input.a + input.b };
      }),
    integers: procedure.input(z.object({ n: z.number(), huge: z.bigint() })).handler(({ input, ctx }) => {
      count(ctx.requestId);
      return { n: input.n + 1, huge: input.huge - 1n };
    }),
    noInput: procedure.handler(({ ctx }) => {
      count(ctx.requestId);
      return 'no input needed';
    }),
    refuse: procedure.handler(({ ctx }) => {
      count(ctx.requestId);
      throw new RpcError('PERMISSION_DENIED', 'not for you', { data: { need: 'admin' } });
    }),
    crash: procedure.handler(({ ctx }) => {
      count(ctx.requestId);
      throw new TypeError('secret internals: db password is hunter2');
    }),
    wait: procedure.input(z.object({ ms: z.number() })).handler(({ input, ctx }) => {
      count(ctx.requestId);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => resolve('finished'), input.ms);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          aborts.push({ procedure: ctx.procedure, code: (ctx.signal.reason as RpcError).code });
          reject(ctx.signal.reason);
        });
      });
    }),
    note: procedure.input(z.string()).handler(({ input, ctx }) => {
      count(ctx.requestId);
      notes.push(input);
    }),
    whoami: procedure.idempotent().handler(({ ctx }) => {
      count(ctx.requestId);
      const first = ctx.deadline;
      contexts.push({
        transport: ctx.transport,
        trace: ctx.meta.trace,
        auth: ctx.meta.auth,
        hasDeadline: ctx.deadline !== undefined,
        // Read twice: the deadline is fixed once read, not recomputed.
        deadlineInMs: first === undefined || ctx.deadline !== first ? undefined : first - Date.now(),
        requestId: ctx.requestId,
      });
      const identity: PeerIdentity | null = ctx.peer.identity ?? null;
      return {
        transport: ctx.transport,
        peerTransport: ctx.peer.transport,
        signedBy: ctx.peer.signedBy ?? null,
        identity,
      };
    }),
  });
  return {
    router: probeRouter,
    outcomes,
    /** `probe.wait` calls aborted: the procedure's full name and the signal's reason code. */
    aborts,
    /** What each `probe.whoami` call saw. */
    contexts,
    /** Inputs of `probe.note` notifications, in arrival order. */
    notes,
    /** `probe.hold` and `probe.holdIdempotent` handlers running now. */
    get holding() {
      return holding;
    },
    /** Times `probe.big` and `probe.bigIdempotent` ran. */
    get bigExecutions() {
      return bigExecutions;
    },
    /** Times any probe handler ran. */
    get executions() {
      return executions;
    },
    /** How many times `bump`, `bumpLater` or `peek` ran with input `n`. */
    executionsOf: (n: number) => runsByInput.get(n) ?? 0,
    report: (): CounterReport => ({ executions, requests: runsByRequest.size, maxExecutionsPerRequest }),
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

/** The one test router: the app router (`echo.*`, `kv.*`) with the probe's procedures under `probe.*`. */
export function createTestRouter(probe: Probe) {
  return router({ ...createAppRouter().record, probe: probe.router });
}

/** The test router's type, for typed clients. */
export type TestRouter = ReturnType<typeof createTestRouter>;
