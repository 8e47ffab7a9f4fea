/** docs/cli.md's exit-code table must say what the CLI does: scripts are written from it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_FOR_ERROR, EXIT_UNKNOWN_ERROR } from 'volley';

const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
const rows = new Map([...doc.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2] as string]));

describe('docs/cli.md exit codes', () => {
  it.each(Object.entries(EXIT_FOR_ERROR))('lists %s as exit %i', (code, exit) => {
    expect(rows.get(exit)).toContain(`\`${code}\``);
  });

  it('lists the generic exits with their numbers', () => {
    expect(rows.get(EXIT.ok)).toMatch(/^success/);
    expect(rows.get(EXIT.failed)).toMatch(/answer is "no"/);
    expect(rows.get(EXIT.usage)).toMatch(/^usage error/);
    expect(rows.get(EXIT.generation)).toMatch(/`gen`/);
    expect(rows.get(EXIT.serve)).toMatch(/`serve` could not start/);
    expect(rows.get(EXIT.internal)).toMatch(/bug in the CLI/);
    expect(rows.get(EXIT.interrupted)).toMatch(/^interrupted by Ctrl-C/);
    expect(rows.get(EXIT_UNKNOWN_ERROR)).toMatch(/does not know/);
  });

  it('documents no exit code the CLI does not use', () => {
    const used = new Set<number>([...Object.values(EXIT), ...Object.values(EXIT_FOR_ERROR), EXIT_UNKNOWN_ERROR]);
    expect([...rows.keys()].filter((code) => !used.has(code))).toEqual([]);
  });
});
