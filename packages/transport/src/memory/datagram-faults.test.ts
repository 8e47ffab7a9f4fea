import { describe, expect, it } from 'vitest';
import { createDatagramFaultStats, type DatagramFaults, planDelivery } from './datagram-faults.js';

/** A `random` that returns the given values in turn, then fails the test if asked for more. */
function scripted(...values: number[]): () => number {
  return () => {
    const next = values.shift();
    if (next === undefined) throw new Error('random() called more often than scripted');
    return next;
  };
}

function plan(faults: DatagramFaults) {
  const stats = createDatagramFaultStats();
  return { delays: planDelivery(faults, stats), stats };
}

describe('planDelivery decides each datagram’s fate from the faults', () => {
  it('delivers once, at once, without drawing a random number when no fault is set', () => {
    expect(plan({ random: scripted() })).toEqual({
      delays: [0],
      stats: { sent: 1, lost: 0, duplicated: 0, reordered: 0, delivered: 0 },
    });
  });

  it('loses a datagram when the draw falls under the loss probability', () => {
    expect(plan({ loss: 0.3, random: scripted(0.29) })).toMatchObject({ delays: [], stats: { sent: 1, lost: 1 } });
    expect(plan({ loss: 0.3, random: scripted(0.3) })).toMatchObject({ delays: [0], stats: { lost: 0 } });
  });

  it('holds a reordered datagram back between 1 and maxDelayMs', () => {
    expect(plan({ reorder: 0.5, maxDelayMs: 10, random: scripted(0.1, 0) }).delays).toEqual([1]);
    expect(plan({ reorder: 0.5, maxDelayMs: 10, random: scripted(0.1, 0.99) }).delays).toEqual([10]);
  });

  it('sends a duplicate copy a random delay after the first', () => {
    expect(plan({ duplication: 1, maxDelayMs: 10, random: scripted(0.5, 0.45) })).toMatchObject({
      delays: [0, 5],
      stats: { duplicated: 1 },
    });
    expect(plan({ reorder: 1, duplication: 1, maxDelayMs: 10, random: scripted(0, 0.2, 0, 0.1) }).delays).toEqual([
      3, 5,
    ]);
  });
});
