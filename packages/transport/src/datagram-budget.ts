import type { TransportStats } from './types.js';

/**
 * The one rule every server datagram channel sends by (UDP and the memory transport's datagram
 * mode alike): a datagram above the size limit, or above what the sender's anti-amplification
 * budget still allows, is refused and counted; otherwise it is counted as sent. Returns the budget
 * left after sending `bytes`, or -1 to refuse. A plain function, not an object: it runs per reply
 * datagram and allocates nothing.
 */
export function spendDatagramBudget(
  bytes: number,
  budget: number,
  maxDatagramBytes: number,
  stats: TransportStats,
): number {
  if (bytes > maxDatagramBytes) {
    stats.oversizeRefused++;
    return -1;
  }
  if (bytes > budget) {
    stats.amplificationRefused++;
    return -1;
  }
  stats.messagesOut++;
  stats.bytesOut += bytes;
  return budget - bytes;
}
