import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry-budget.js';

describe('RetryBudget', () => {
  it('allows the floor of retries with no calls at all', () => {
    const budget = new RetryBudget({ windowMs: 10_000, fraction: 0.2, minPerSecond: 1 });
    let allowed = 0;
    while (budget.tryWithdraw(0)) allowed++;
    expect(allowed).toBe(10);
  });

  it('adds a fraction of a retry for every call made in the window', () => {
    const budget = new RetryBudget({ windowMs: 10_000, fraction: 0.2, minPerSecond: 0 });
    for (let i = 0; i < 100; i++) budget.deposit(1_000);
    let allowed = 0;
    while (budget.tryWithdraw(1_500)) allowed++;
    expect(allowed).toBe(20);
  });

  it('forgets calls and retries once they leave the window', () => {
    const budget = new RetryBudget({ windowMs: 10_000, fraction: 0.5, minPerSecond: 0 });
    for (let i = 0; i < 10; i++) budget.deposit(0);
    let allowed = 0;
    while (budget.tryWithdraw(0)) allowed++;
    expect(allowed).toBe(5);
    // Ten seconds on, both the calls and the retries that spent them are gone.
    expect(budget.tryWithdraw(10_000)).toBe(false);
    for (let i = 0; i < 2; i++) budget.deposit(10_000);
    expect(budget.tryWithdraw(10_000)).toBe(true);
    expect(budget.tryWithdraw(10_000)).toBe(false);
  });

  it('keeps counts of a second still inside the window when the ring wraps', () => {
    const budget = new RetryBudget({ windowMs: 3_000, fraction: 1, minPerSecond: 0 });
    budget.deposit(0);
    budget.deposit(2_000);
    expect(budget.tryWithdraw(2_500)).toBe(true);
    expect(budget.tryWithdraw(2_500)).toBe(true);
    expect(budget.tryWithdraw(2_500)).toBe(false);
    // At 3.0 s the slot of second 0 is reused for second 3: its call no longer counts.
    budget.deposit(3_000);
    expect(budget.tryWithdraw(3_000)).toBe(false);
  });
});
