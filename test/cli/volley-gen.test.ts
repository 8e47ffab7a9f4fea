/** `volley gen` end to end: from a live server and from a router module, and its error paths. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliServer, closedPort, startCliServer } from './cli-fixture.js';
import { runVolley } from './run-volley.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GOLDEN = join(ROOT, 'packages/codegen/golden/app-client.ts');
let server: CliServer;
let dir: string;

beforeAll(async () => {
  server = await startCliServer();
  dir = await mkdtemp(join(tmpdir(), 'volley-gen-'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** The generated file without its header comment, which names the source. */
function body(source: string): string {
  return source.slice(source.indexOf('*/') + 2).trim();
}

describe.concurrent('volley gen', () => {
  it.each(['udp', 'tcp'] as const)('writes a typed client from a live service over %s', async (transport) => {
    const out = join(dir, transport, 'demo-client.ts');
    const run = await runVolley(['gen', server[transport], '-o', out, '--name', 'Demo']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`wrote ${out}: 12 procedures\n`);
    const code = await readFile(out, 'utf8');
    expect(code).toContain(server[transport]);
    expect(code).toContain('export function createDemoClient(');
    expect(code).toContain('export interface EchoAddInput');
  });

  it('prints the same file as the golden one from the router module', async () => {
    const run = await runVolley(['gen', 'services/app/src/app-router.ts', '--export', 'createAppRouter'], {
      cwd: ROOT,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await readFile(GOLDEN, 'utf8'));
  });

  it('gives the same types from a live service as from the module', async () => {
    const live = await runVolley(['gen', `127.0.0.1:${server.port}`, '--tcp']);
    const module = await runVolley(['gen', 'test/cli/cli-fixture.ts', '--export', 'createCliRouter'], { cwd: ROOT });
    expect(live.code).toBe(0);
    expect(module.code).toBe(0);
    // The live manifest names its service ("demo"); the module's has none: compare past the names.
    expect(body(live.stdout).replaceAll('Demo', 'Service')).toBe(body(module.stdout));
  });

  it('exits 2 for a module path that does not exist and for a bad --name', async () => {
    const missing = await runVolley(['gen', 'nope/router.ts']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^volley gen: No such module: nope\/router\.ts/);
    const badName = await runVolley(['gen', server.udp, '--name', 'not-pascal']);
    expect(badName.code).toBe(2);
  });

  it('exits 3 when the module has no such export or the output cannot be written', async () => {
    const noExport = await runVolley(['gen', 'services/app/src/app-router.ts', '--export', 'missing'], { cwd: ROOT });
    expect(noExport.code).toBe(3);
    expect(noExport.stderr.trim().split('\n')).toHaveLength(1);
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const unwritable = await runVolley(['gen', server.udp, '-o', join(file, 'client.ts')]);
    expect(unwritable.code).toBe(3);
    expect(unwritable.stderr).toMatch(/^volley gen: cannot write .*(ENOTDIR|EEXIST)/);
  });

  it('exits with the call error code when the service cannot be reached', async () => {
    const port = await closedPort();
    const run = await runVolley(['gen', `tcp://127.0.0.1:${port}`, '--timeout', '1000']);
    expect(run.code).toBe(16);
  });
});
