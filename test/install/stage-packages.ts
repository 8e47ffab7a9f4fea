import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustRun } from './run-command.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
/** What a package folder may hold that is not its source: never copied into the stage. */
const NOT_SOURCE = new Set(['node_modules', 'dist', '.turbo', '.tmp']);

/** A published package's name and the staged folder `npm publish` runs on. */
export interface StagedPackage {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
}

/**
 * Copies every package under packages/ into `stage` and builds it there with its own build
 * script's command (`tsc -p tsconfig.build.json`). The repository's own `dist/` folders are never
 * written: other tests run beside this one and must not see half-written builds.
 * Sibling imports resolve through the repository's node_modules (the stage links to it).
 */
export async function stageAndBuildPackages(stage: string): Promise<StagedPackage[]> {
  mkdirSync(join(stage, 'packages'), { recursive: true });
  copyFileSync(join(REPO_ROOT, 'tsconfig.base.json'), join(stage, 'tsconfig.base.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(stage, 'node_modules'), 'dir');
  const staged: StagedPackage[] = [];
  for (const folder of readdirSync(join(REPO_ROOT, 'packages'))) {
    const from = join(REPO_ROOT, 'packages', folder);
    const dir = join(stage, 'packages', folder);
    cpSync(from, dir, {
      recursive: true,
      filter: (path) =>
        !relative(from, path)
          .split(sep)
          .some((part) => NOT_SOURCE.has(part)),
    });
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      scripts: { build: string };
    };
    if (manifest.scripts.build !== 'tsc -p tsconfig.build.json')
      throw new Error(
        `${manifest.name}: the stage builds with tsc -p tsconfig.build.json, the package with ${manifest.scripts.build}`,
      );
    staged.push({ name: manifest.name, version: manifest.version, dir });
  }
  // Each build checks the sources of its siblings too (the source condition), so order is free;
  // one build per core, as more only fight over it.
  const queue = staged.map(({ dir }) => dir);
  const worker = async (): Promise<void> => {
    for (let dir = queue.pop(); dir !== undefined; dir = queue.pop()) {
      await mustRun(process.execPath, [TSC, '-p', join(dir, 'tsconfig.build.json')], {
        cwd: dir,
        env: process.env,
        timeoutMs: 240_000,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
  return staged;
}
