import { describe, expect, it } from 'vitest';
import { formatScenario, formatTargets } from './report.js';
import { failedRun, type RunFigures } from './run-once.js';
import { summarizeScenario } from './summarize.js';
import type { SystemDefinition } from './systems/system.js';
import { ISSUE_TARGETS } from './targets.js';

const definition = (id: string, multiplexes: boolean): SystemDefinition => ({
  id,
  label: id,
  group: id.startsWith('raw') ? 'limit' : 'peer',
  transport: multiplexes ? 'tcp' : 'http/1.1',
  baseline: 'raw-tcp',
  multiplexes,
  serverModule: new URL('file:///s.ts'),
  clientModule: new URL('file:///c.ts'),
});
const ok: RunFigures = {
  ...failedRun(''),
  callsPerSecond: 1000,
  calls: 1000,
  totalCalls: 1000,
  serverRssBytes: 64 * 1024 * 1024,
};
delete ok.failure;

describe('scenario table', () => {
  const systems = [definition('raw-tcp', true), definition('http-peer', false)];
  const byId = new Map(systems.map((system) => [system.id, system]));
  const runs = new Map([
    ['raw-tcp', [ok]],
    ['http-peer', [failedRun('connect ECONNREFUSED')]],
  ]);
  const text = formatScenario(
    summarizeScenario({ id: 'add-x64', payload: 'add', outstanding: 64 }, systems, runs, []),
    byId,
    1,
  );

  it('marks a system that cannot multiplex and explains the mark under the table', () => {
    expect(text).toContain('| http-peer † |');
    expect(text).toContain('† HTTP/1.1 carries one call per connection at a time');
  });

  it('shows a system whose every round failed as failed, with the reason', () => {
    expect(text).toMatch(/\| http-peer †.*\| failed \|/);
    expect(text).toContain('http-peer failed: connect ECONNREFUSED');
  });

  it('gives the server RSS in MiB', () => {
    expect(text).toMatch(/\| raw-tcp .*\|\s+64 \|\s+0 \|/);
  });
});

describe('targets table', () => {
  it('shows the lowest and highest per-round ratio beside the ratio of the medians', () => {
    const [target] = ISSUE_TARGETS;
    if (target === undefined) throw new Error('no targets');
    const table = formatTargets([
      { target, ratio: 0.86, value: 86_000, met: true, roundRatios: [0.93, 0.78, 0.86] },
      { target, ratio: 0.84, value: 84_000, met: true, roundRatios: [0.84] },
      { target, ratio: undefined, value: undefined, met: undefined, roundRatios: [] },
    ]);
    const rows = table.split('\n').filter((line) => line.startsWith(`| ${target.label}`));
    expect(rows[0]).toContain('| 0.78–0.93× |');
    expect(rows[1]).toMatch(/\| +0\.84× +\| +0\.84× +\|/);
    expect(rows[2]).toMatch(/\| +— +\| +— +\|/);
  });
});
