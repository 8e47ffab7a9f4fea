import { describe, expect, it } from 'vitest';
import { roundOrder, selectScenarios, selectSystems, systemsFor } from './selection.js';
import type { SystemDefinition } from './systems/system.js';

const system = (id: string, baseline: 'raw-tcp' | 'raw-udp', payloads?: ('add' | 'echo-4k')[]): SystemDefinition => ({
  id,
  label: id,
  group: id.startsWith('raw') ? 'limit' : 'volley',
  transport: baseline === 'raw-tcp' ? 'tcp' : 'udp',
  baseline,
  multiplexes: true,
  serverModule: new URL('file:///server.ts'),
  clientModule: new URL('file:///client.ts'),
  ...(payloads === undefined ? {} : { payloads }),
});
const ALL = [
  system('raw-tcp', 'raw-tcp'),
  system('raw-udp', 'raw-udp'),
  system('volley-tcp', 'raw-tcp'),
  system('volley-udp-once', 'raw-udp', ['add']),
];

describe('round order', () => {
  it('rotates by one place per round, so each system runs in every position', () => {
    expect([0, 1, 2, 3].map((round) => roundOrder(['a', 'b', 'c'], round).join(''))).toEqual([
      'abc',
      'bca',
      'cab',
      'abc',
    ]);
  });

  it('puts every system first exactly once over as many rounds as systems', () => {
    const firsts = [0, 1, 2, 3].map((round) => roundOrder(['a', 'b', 'c', 'd'], round)[0]);
    expect(new Set(firsts).size).toBe(4);
  });

  it('handles an empty list', () => {
    expect(roundOrder([], 5)).toEqual([]);
  });
});

describe('system selection', () => {
  it('adds the baseline of each named system, in registry order', () => {
    expect(selectSystems(ALL, ['volley-tcp']).map((each) => each.id)).toEqual(['raw-tcp', 'volley-tcp']);
  });

  it('takes every system when none are named', () => {
    expect(selectSystems(ALL, undefined)).toHaveLength(4);
  });

  it('names the unknown id', () => {
    expect(() => selectSystems(ALL, ['grcp'])).toThrow(/unknown system grcp/);
  });

  it('leaves out systems whose payloads exclude the scenario', () => {
    const [echo] = selectScenarios({ outstanding: [64], scenarios: ['echo'] });
    expect(echo?.id).toBe('echo-4k-x64');
    expect(systemsFor(echo!, ALL).map((each) => each.id)).not.toContain('volley-udp-once');
  });
});

describe('scenario selection', () => {
  it('lists add and echo-4k at each outstanding count', () => {
    expect(selectScenarios({ outstanding: [1, 64], scenarios: undefined }).map((each) => each.id)).toEqual([
      'add-x1',
      'add-x64',
      'echo-4k-x1',
      'echo-4k-x64',
    ]);
  });

  it('keeps scenarios whose id contains any filter', () => {
    expect(selectScenarios({ outstanding: [1, 64], scenarios: ['x64'] }).map((each) => each.id)).toEqual([
      'add-x64',
      'echo-4k-x64',
    ]);
  });

  it('refuses a filter that matches nothing', () => {
    expect(() => selectScenarios({ outstanding: [1], scenarios: ['tcp add'] })).toThrow(/no scenario matches/);
  });
});
