import type { PendingCall } from '../pending-call.js';

/**
 * UDP datagrams a client sent (requests, retransmissions, cancels, notifications) that no reply
 * has shown to have arrived and no ICMP error has been spent on: the ones that could have drawn
 * an ICMP port-unreachable. ICMP errors are not matched to sends, so a call may be blamed for one
 * (and marked not executed) only when its datagram is the only one in doubt. Each error uses up
 * one; the kernel may merge several errors into one report, so the count only ever errs high,
 * which errs toward "may have executed".
 */
export class DatagramsInDoubt {
  #count = 0;

  /** A datagram left (or is about to: an over-count only makes {@link blame} more careful). */
  sent(): void {
    this.#count++;
  }

  /** A reply echoing `attempt` shows that transmission of `call` arrived: it can draw no ICMP error. */
  arrived(call: PendingCall, attempt: number): void {
    // One bit per transmission, so a duplicated reply is not counted twice; attempts past 31
    // (cookie re-asks on top of 11 transmissions) stay in doubt, which errs the careful way.
    if (attempt < 1 || attempt > call.attempt || attempt > 31) return;
    const bit = 1 << (attempt - 1);
    if ((call.arrivedAttempts & bit) !== 0) return;
    call.arrivedAttempts |= bit;
    if (this.#count > 0) this.#count--;
  }

  /** An ICMP error arrived: spends one datagram; true when it can only have been the one in doubt. */
  blame(): boolean {
    const sole = this.#count === 1;
    if (this.#count > 0) this.#count--;
    return sole;
  }
}
