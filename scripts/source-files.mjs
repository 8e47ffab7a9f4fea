// The package sources the lint scripts check: every `.ts` file under a directory, tests
// (`*.test.ts`, `*.spec.ts`) and declaration files left out.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every non-test, non-declaration `.ts` file under `dir`, recursively. */
export function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.ts$/.test(name) && !/\.(test|spec)\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}
