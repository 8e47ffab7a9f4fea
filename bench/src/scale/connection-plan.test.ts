import { describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS_PER_CLIENT, planConnections, SPARE_FDS } from './connection-plan.js';

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

describe('planConnections', () => {
  it('spreads 10 000 connections evenly over 3 clients under a 20 000 limit', () => {
    expect(planConnections(10_000, 20_000)).toEqual({ connections: 10_000, perClient: [3334, 3333, 3333] });
  });

  it('opens them all when the limit just fits the server', () => {
    expect(planConnections(10_000, 10_000 + SPARE_FDS).connections).toBe(10_000);
  });

  it('caps clients at MAX_CONNECTIONS_PER_CLIENT even with no limit', () => {
    const plan = planConnections(10_000, Number.POSITIVE_INFINITY);
    expect(Math.max(...plan.perClient)).toBeLessThanOrEqual(MAX_CONNECTIONS_PER_CLIENT);
    expect(sum(plan.perClient)).toBe(10_000);
  });

  it('shrinks to what the server can hold when the limit is below the connections wanted', () => {
    expect(planConnections(10_000, 1024)).toEqual({ connections: 1024 - SPARE_FDS, perClient: [1024 - SPARE_FDS] });
  });

  it('plans nothing when the limit leaves no room', () => {
    expect(planConnections(10_000, SPARE_FDS)).toEqual({ connections: 0, perClient: [] });
  });
});
