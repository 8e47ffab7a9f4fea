import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { procedure, router } from '@volley/router';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifestFromModule } from './load-module.js';
import { selectRouter } from './select-router.js';

const one = router({ ping: procedure.handler(() => 'pong') });
const two = router({ pong: procedure.handler(() => 'ping') });

describe('selectRouter', () => {
  it('takes the named export, calling it when it is a factory without arguments', async () => {
    expect(await selectRouter({ one, two }, 'm.ts', 'two')).toBe(two);
    expect(await selectRouter({ createTwo: () => two, one }, 'm.ts', 'createTwo')).toBe(two);
    expect(await selectRouter({ createTwo: async () => two }, 'm.ts', 'createTwo')).toBe(two);
  });

  it('takes the default export before any named one', async () => {
    expect(await selectRouter({ default: two, one }, 'm.ts')).toBe(two);
    expect(await selectRouter({ default: () => two, one }, 'm.ts')).toBe(two);
  });

  it('takes the only router export, else the only factory named like a router', async () => {
    expect(await selectRouter({ one, helper: () => 1, VERSION: '1' }, 'm.ts')).toBe(one);
    expect(await selectRouter({ createAppRouter: () => one, VERSION: '1' }, 'm.ts')).toBe(one);
  });

  it('never calls a function the caller did not name unless its name ends in Router', async () => {
    let called = false;
    const start = () => {
      called = true;
      return one;
    };
    await expect(selectRouter({ start }, 'm.ts')).rejects.toThrow('m.ts has no single router export');
    expect(called).toBe(false);
  });

  it('lists the exports when the name is missing or several routers compete', async () => {
    await expect(selectRouter({ one, n: 1 }, 'm.ts', 'app')).rejects.toThrow(
      'm.ts has no export "app"; its exports: n (a number), one (a router)',
    );
    await expect(selectRouter({ one, two }, 'm.ts')).rejects.toThrow(
      'm.ts exports several routers (one, two); name the one to use',
    );
    await expect(selectRouter({}, 'm.ts')).rejects.toThrow('it has no exports');
  });

  it('refuses a named export that is not a router, a factory with arguments, and a factory returning something else', async () => {
    await expect(selectRouter({ n: 1 }, 'm.ts', 'n')).rejects.toThrow('m.ts: export "n" is a number, not a router');
    await expect(selectRouter({ make: (store: unknown) => store }, 'm.ts', 'make')).rejects.toThrow(
      'takes 1 argument(s); a router factory must take none',
    );
    await expect(selectRouter({ make: () => ({}) }, 'm.ts', 'make')).rejects.toThrow(
      'm.ts: export "make" returned an object, not a router',
    );
  });
});

describe('loadManifestFromModule', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  // Router-shaped objects: these modules import nothing, so they load from any directory.
  const ROUTER_SOURCE = "export const app = { _kind: 'router', record: {} };\nexport const answer = 42;\n";

  it('imports TypeScript through tsx and JavaScript with import(), and describes the router', async () => {
    // Inside the repository (git-ignored), like every temporary file of this package's tests.
    await mkdir(join(import.meta.dirname, '../.tmp'), { recursive: true });
    dir = await mkdtemp(join(import.meta.dirname, '../.tmp/module-'));
    await writeFile(join(dir, 'router.ts'), `${ROUTER_SOURCE}export type Unused = string;\n`);
    await writeFile(join(dir, 'router.mjs'), ROUTER_SOURCE);
    const expected = { protocol: 1, procedures: [] };
    expect(await loadManifestFromModule(join(dir, 'router.ts'))).toEqual(expected);
    expect(await loadManifestFromModule(join(dir, 'router.mjs'), 'app')).toEqual(expected);
  });

  it('names the module when it cannot be imported', async () => {
    await expect(loadManifestFromModule('/nonexistent/router.ts')).rejects.toThrow(
      'could not import /nonexistent/router.ts',
    );
  });
});
