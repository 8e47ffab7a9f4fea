#!/usr/bin/env node
/**
 * Fails when a source file of packages/* grows past MAX_LINES (issue 15: no source file over 300
 * lines; 40–250 is the norm, one concept per file, see CONTRIBUTING.md). Tests (`*.test.ts`, `*.spec.ts`), declaration
 * files and generated files (an `@generated` marker in their first lines) are not counted: a
 * test file's length follows its cases, a generated one's its input.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { sourceFiles } from './source-files.mjs';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
/** The limit issue 15 set: past it a file holds more than one concept and is split by concept. */
const MAX_LINES = 300;
/** How far down a generator's `@generated` marker may sit (after a licence line or a shebang). */
const MARKER_LINES = 5;

const problems = [];
for (const pkg of readdirSync(join(ROOT, 'packages'))) {
  const src = join(ROOT, 'packages', pkg, 'src');
  if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
  for (const file of sourceFiles(src)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (lines.slice(0, MARKER_LINES).some((line) => line.includes('@generated'))) continue;
    if (lines.length > MAX_LINES) problems.push(`${relative(ROOT, file)}: ${lines.length} lines`);
  }
}

if (problems.length > 0) {
  console.error(
    `File size check failed: source files over ${MAX_LINES} lines (issue 15). Split each by concept, one concept per file:\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`File size check passed (no source file of packages/*/src over ${MAX_LINES} lines).`);
