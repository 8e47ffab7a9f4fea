/**
 * Which code `bin/volley.js` runs: in the workspace (src/ present) always the TypeScript source,
 * even beside a dist/ an earlier build left behind, which may be stale; in the published package
 * (dist/ only) the build. Each case copies the real bin into a folder laid out like the package.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { VOLLEY_BIN } from './run-volley.js';

const REPO_TSX = fileURLToPath(new URL('../../node_modules/tsx', import.meta.url));

let dir: string | undefined;

afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A package folder holding the real bin and the given files; tsx linked as the workspace has it. */
function packageWith(files: Record<string, string>, options: { tsx: boolean }): string {
  dir = mkdtempSync(join(tmpdir(), 'volley-bin-'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin/volley.js'), readFileSync(VOLLEY_BIN));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  if (options.tsx) {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(REPO_TSX, join(dir, 'node_modules/tsx'), 'dir');
  }
  return dir;
}

function runBin(folder: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(folder, 'bin/volley.js'), ...args], { encoding: 'utf8', timeout: 30_000 });
}

const PRINT_SOURCE =
  "const n: number = process.argv.length; console.log('source', process.argv.slice(2).join(' '), n > 0);";
const PRINT_DIST = "console.log('dist', process.argv.slice(2).join(' '));";

describe('bin/volley.js', () => {
  it('runs the workspace source, not a dist/ left beside it, passing the arguments on', () => {
    const folder = packageWith({ 'src/main.ts': PRINT_SOURCE, 'dist/main.js': PRINT_DIST }, { tsx: true });
    const run = runBin(folder, 'call', 'x');
    expect(run.stdout).toBe('source call x true\n');
    expect(run.status).toBe(0);
  }, 30_000);

  it('runs dist/ when there is no source, as in the published package', () => {
    const folder = packageWith({ 'dist/main.js': PRINT_DIST }, { tsx: false });
    const run = runBin(folder, '--version');
    expect(run.stdout).toBe('dist --version\n');
    expect(run.status).toBe(0);
  });

  it('says in one line what is missing when the workspace source has no tsx to run it', () => {
    const folder = packageWith({ 'src/main.ts': PRINT_SOURCE, 'dist/main.js': PRINT_DIST }, { tsx: false });
    const run = runBin(folder);
    expect(run.status).toBe(70);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/runs through tsx; run npm install/);
  });
});
