import type { ClientConnection } from '@volley/transport';
import { HEALTH_PROCEDURE, RpcError } from '@volley/wire';
import type { CallHost } from '../call-path.js';
import type { ClientCoreOptions } from '../client-core-options.js';
import { INCARNATION_PROBE_TIMEOUT_MS } from '../constants.js';
import { PendingCall } from '../pending-call.js';

/** What an {@link IncarnationLearner} uses of its datagram path. */
export interface IncarnationPath {
  /** Transmits `call` on `connection` (its first transmission, for the probe). */
  transmit(call: PendingCall, connection: ClientConnection): void;
  /** Puts `call` in the timer queue for its next retransmission, counted from `now`. */
  schedule(call: PendingCall, now: number): void;
  /** The wait after transmission number `attempt` before the next. */
  waitMs(attempt: number): number;
}

/**
 * What a datagram path knows of its server's incarnation (docs/protocol.md §5.7), and how a
 * non-idempotent call first sent before it knew one (a *blind* call) still gets one to echo on
 * its retransmissions.
 *
 * A reply names the process that received the transmission it answers. If that transmission was
 * sent no later than the call's first, that process was there by then, so the call's first
 * transmission reached it or a later one: the named process either holds the call or is gone, and
 * echoing it can bring a refusal ("may have executed"), never a second run. Such evidence is
 * final. Evidence from a transmission sent later may name a process that started after the call
 * ran elsewhere; it is adopted all the same, until better comes, because echoing any incarnation
 * only narrows who may run a retransmission (the one process that has it) compared with echoing
 * none (any process): it cannot add a run, it can only turn a run of a call that never ran into
 * an honest refusal. Of two pieces of evidence the one from the earlier transmission wins: the
 * restart it could have missed had less time to happen. Send times are upper bounds: exact when
 * the reply echoes the first or the latest attempt, else the latest send (`lastSentAt`).
 *
 * ```
 *  first sent, nothing known ──▶ blind ──reply to a send ≤ its first──▶ adopts i, final
 *       │                          │  └──reply to a later send──▶ adopts i until earlier evidence comes
 *       │                          │ first retransmission due, nothing adopted, probe out
 *       │                          ▼
 *       │                        held ──adopts, the probe ends, or one interval passes──▶ retransmitted
 *       └─ the probe (`$health`) left just before it, so its first answer is final evidence
 * ```
 *
 * The probe is a `$health` call sent just before the first non-idempotent call that finds nothing
 * known; its retransmissions bring later evidence if its first datagram or reply is lost. It
 * lives while a blind call has adopted nothing (at most {@link INCARNATION_PROBE_TIMEOUT_MS}).
 * Calls to idempotent procedures (built-ins included) never send one, never wait and are never
 * blind. Once a value is known, nothing here costs more than a comparison per reply.
 */
export class IncarnationLearner {
  /** The incarnation from the latest accepted reply that carried one, which calls first sent now record. */
  known: number | undefined = undefined;
  /** Non-idempotent calls first sent with nothing known, pending, whose evidence is not final yet. */
  readonly #blind = new Set<PendingCall>();
  /** Blind calls, none adopted yet, whose first retransmission waits for the probe. */
  readonly #held = new Set<PendingCall>();
  #probe: PendingCall | undefined = undefined;
  /** The server answered a probe without an incarnation (a peer that sends none): probe no more. */
  #serverSendsNone = false;
  readonly #host: CallHost;
  readonly #options: Pick<ClientCoreOptions, 'procedures' | 'auth' | 'metadata'>;
  readonly #path: IncarnationPath;

  constructor(
    host: CallHost,
    options: Pick<ClientCoreOptions, 'procedures' | 'auth' | 'metadata'>,
    path: IncarnationPath,
  ) {
    this.#host = host;
    this.#options = options;
    this.#path = path;
  }

  /**
   * `call`, about to be first sent on `connection` with nothing known: sends the probe first when
   * the call is not idempotent and no probe is out. True when it did (the caller reads the clock
   * again, so that the call leaves no earlier than the probe).
   *
   * The probe is a `$health` call of the client's own, its result ignored and its failure silent,
   * outside the outstanding window (it must not wait behind the call it serves). Its first
   * datagram leaves in the same tick as that call's, to the same port, so the two take one place
   * among the datagrams in doubt: an ICMP port-unreachable drawn by either says nothing listened
   * there when the call arrived, and a lone call may still be marked not executed.
   */
  probeFor(call: PendingCall, connection: ClientConnection): boolean {
    if (this.known !== undefined || this.#probe !== undefined || this.#serverSendsNone) return false;
    if (this.#isIdempotent(call.method)) return false;
    const host = this.#host;
    host.stats.incarnationProbes++;
    const deadlineAt = performance.now() + INCARNATION_PROBE_TIMEOUT_MS;
    const ended = (answered: boolean) => this.#probeEnded(probe, answered);
    const probe = host.register(
      (id) =>
        new PendingCall(
          id,
          HEALTH_PROCEDURE,
          undefined,
          deadlineAt,
          undefined,
          () => ended(true),
          (error) => {
            // A local error (deadline, ICMP, dropped) is no answer; a signature refusal is the one
            // answer a Volley server sends without its incarnation (protocol.md §2.5).
            ended(!(error instanceof RpcError && (error.local || error.code === 'UNAUTHENTICATED')));
          },
        ),
    );
    probe.internal = true;
    probe.auth = this.#options.auth;
    probe.metadata = this.#options.metadata;
    probe.arrivedAttempts = 1; // its first datagram is not counted in doubt, so its arrival is not either
    this.#probe = probe;
    this.#path.transmit(probe, connection);
    this.#path.schedule(probe, probe.lastSentAt);
    return true;
  }

  /** `call` was first transmitted with nothing known (its `firstSentAt` set): blind unless idempotent. */
  sentBlind(call: PendingCall): void {
    // A peer that sends no incarnation gives a blind call nothing to adopt: no bookkeeping per call.
    if (!this.#serverSendsNone && !this.#isIdempotent(call.method)) this.#blind.add(call);
  }

  /**
   * An accepted reply carried `incarnation`, revealed by a transmission sent no later than
   * `sentBy`. Blind calls for which that is better evidence than what they have adopt it (final
   * when sent no later than their first transmission); held ones retransmit now (the answered
   * call itself is never held here: the path unholds it first). O(1) while no call is blind.
   */
  learn(incarnation: number, sentBy: number): void {
    this.known = incarnation;
    if (this.#blind.size === 0) return;
    for (const call of this.#blind) {
      if (sentBy >= call.incarnationRevealedBy) continue;
      call.incarnation = incarnation;
      call.incarnationRevealedBy = sentBy;
      if (sentBy <= call.firstSentAt) this.#blind.delete(call);
      if (this.#held.delete(call)) this.#resume(call);
    }
    this.#dropProbeIfDone();
  }

  /**
   * Called when `call`'s retransmission is due: true when it waits instead, because it is blind
   * and has adopted nothing, this is its first retransmission, and the probe is out. It waits for
   * the probe's answer or end, one retransmission interval at most; later retransmissions never
   * wait, so a call never starves behind a silent probe.
   */
  holds(call: PendingCall): boolean {
    if (this.#probe === undefined || call.attempt !== 1 || !this.#blind.has(call)) return false;
    call.held = true;
    this.#held.add(call);
    const now = performance.now();
    call.retransmitAt = now + this.#path.waitMs(call.attempt);
    this.#host.schedule(call, Math.min(call.retransmitAt, call.deadlineAt) - now, now);
    return true;
  }

  /** The held call's wait is over (resumed, its time ran out, or a reply came): it goes on now. */
  unhold(call: PendingCall): void {
    call.held = false;
    this.#held.delete(call);
  }

  /** `call` settled: it is blind no more, and the probe may have nobody left to serve. */
  forget(call: PendingCall): void {
    if (this.#blind.size === 0) return;
    this.#held.delete(call);
    if (this.#blind.delete(call)) this.#dropProbeIfDone();
  }

  /**
   * The probe ended; `answered`: with a reply that a Volley server sends with its incarnation,
   * already learnt from. Held calls retransmit now, with what they adopted or, as before
   * incarnations, with none.
   */
  #probeEnded(probe: PendingCall, answered: boolean): void {
    if (this.#probe !== probe) return;
    this.#probe = undefined;
    // Answered over UDP (not moved to the TCP route, whose replies carry none), yet nothing known.
    if (answered && this.known === undefined && !probe.onStream) this.#serverSendsNone = true;
    for (const call of this.#held) this.#resume(call);
  }

  /** On a timer of 0, never inside the caller's stack: the call is still `held`, so it retransmits at once. */
  #resume(call: PendingCall): void {
    this.#host.schedule(call, 0);
  }

  /**
   * Ends the probe locally and silently (no cancel is sent: `$health` has no effect to stop) once
   * every blind call has adopted something: its later answers would be later evidence than theirs.
   */
  #dropProbeIfDone(): void {
    const probe = this.#probe;
    if (probe === undefined) return;
    for (const call of this.#blind) if (call.incarnation === undefined) return;
    this.#host.settle(probe, new RpcError('CANCELLED', 'Incarnation probe no longer needed', { local: true }));
  }

  /** Built-ins (`$health`, `$describe`, `$stats`) are idempotent; unknown procedures are not. */
  #isIdempotent(method: string): boolean {
    return method.startsWith('$') || this.#options.procedures?.[method]?.idempotent === true;
  }
}
