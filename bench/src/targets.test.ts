import { describe, expect, it } from 'vitest';
import { failedRun, type RunFigures } from './run-once.js';
import { type ScenarioResult, summarizeScenario } from './summarize.js';
import type { SystemDefinition } from './systems/system.js';
import { evaluateTargets, ISSUE_TARGETS, type PerformanceTarget } from './targets.js';

const definition = (id: string): SystemDefinition => ({
  id,
  label: id,
  group: id.startsWith('raw') ? 'limit' : 'volley',
  transport: 'tcp',
  baseline: 'raw-tcp',
  multiplexes: true,
  serverModule: new URL('file:///s.ts'),
  clientModule: new URL('file:///c.ts'),
});

const run = (callsPerSecond: number, serverCpuMicrosPerCall: number, p50 = 0.1, errors = 0): RunFigures => ({
  calls: callsPerSecond,
  errors,
  wrongAnswers: 0,
  callsPerSecond,
  latencyMs: { p50, p99: p50 * 3, p999: p50 * 10 },
  resends: 0,
  totalCalls: callsPerSecond,
  serverCpuMicrosPerCall,
  clientCpuMicrosPerCall: 5,
  serverRssBytes: 50 * 1024 * 1024,
});

/** add-x64 with raw-tcp at 100 k calls/s and 2 µs/call, volley-tcp as given (three rounds each). */
function addX64(volleyRounds: RunFigures[]): ScenarioResult {
  const raw = [run(100_000, 2), run(90_000, 2.2), run(110_000, 1.8)];
  return summarizeScenario(
    { id: 'add-x64', payload: 'add', outstanding: 64 },
    [definition('raw-tcp'), definition('volley-tcp')],
    new Map([
      ['raw-tcp', raw],
      ['volley-tcp', volleyRounds],
    ]),
    [],
  );
}

const [TCP_RATE, TCP_CPU] = ISSUE_TARGETS as [PerformanceTarget, PerformanceTarget];

describe('summaries', () => {
  it('take medians over rounds and ratios to the baseline’s medians', () => {
    const volley = addX64([run(85_000, 3), run(80_000, 2.8), run(70_000, 3.2)]).systems[1];
    expect(volley).toMatchObject({
      callsPerSecond: 80_000,
      ratio: 0.8,
      serverCpuMicrosPerCall: 3,
      serverCpuRatio: 1.5,
    });
  });

  it('leave a failed round out of the medians but list why it failed', () => {
    const volley = addX64([run(80_000, 3), failedRun('hung'), run(90_000, 3)]).systems[1];
    expect(volley?.callsPerSecond).toBe(85_000);
    expect(volley?.failures).toEqual(['hung']);
  });
});

describe('targets', () => {
  it('meets a throughput bound at exactly the bound and a CPU bound at exactly its bound', () => {
    const [rate, cpu] = evaluateTargets([TCP_RATE, TCP_CPU], [addX64([run(80_000, 3)])]);
    expect(rate).toMatchObject({ ratio: 0.8, met: true, value: 80_000 });
    expect(cpu).toMatchObject({ ratio: 1.5, met: true });
  });

  it('misses when throughput is below or CPU above the bound', () => {
    const [rate, cpu] = evaluateTargets([TCP_RATE, TCP_CPU], [addX64([run(79_000, 3.1)])]);
    expect(rate?.met).toBe(false);
    expect(cpu?.met).toBe(false);
  });

  it('does not count a fast system with failed calls as meeting anything', () => {
    const [rate] = evaluateTargets([TCP_RATE], [addX64([run(95_000, 2, 0.1, 3)])]);
    expect(rate).toMatchObject({ ratio: 0.95, met: false });
  });

  it('leaves a target open when its scenario or system did not run', () => {
    const outcomes = evaluateTargets(ISSUE_TARGETS, [addX64([run(80_000, 3)])]);
    const udp = outcomes.find((outcome) => outcome.target.systemId === 'volley-udp');
    expect(udp).toMatchObject({ ratio: undefined, met: undefined });
  });

  it('gives the ratio of each round to the baseline round beside it, skipping failed rounds', () => {
    // raw-tcp rounds: 100 k, 90 k, 110 k calls/s.
    const [rate] = evaluateTargets([TCP_RATE], [addX64([run(80_000, 3), failedRun('hung'), run(99_000, 3)])]);
    expect(rate?.roundRatios).toEqual([0.8, 0.9]);
    expect(rate?.ratio).toBeCloseTo(89_500 / 100_000);
  });

  it('bounds p50 latency as a ratio to the matching raw system', () => {
    const latency = ISSUE_TARGETS.find((target) => target.metric === 'p50' && target.systemId === 'volley-tcp');
    const result = summarizeScenario(
      { id: 'add-x1', payload: 'add', outstanding: 1 },
      [definition('raw-tcp'), definition('volley-tcp')],
      new Map([
        ['raw-tcp', [run(10_000, 40, 0.1)]],
        ['volley-tcp', [run(9_000, 45, 0.12)]],
      ]),
      [],
    );
    const [outcome] = evaluateTargets([latency!], [result]);
    expect(outcome?.ratio).toBeCloseTo(1.2);
    expect(outcome?.met).toBe(false);
  });
});
