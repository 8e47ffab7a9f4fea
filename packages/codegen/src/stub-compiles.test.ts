// The end-to-end proof: a generated stub plus a file that uses it compile under the repository's
// strict settings with tsc, and the emitted JavaScript calls a live server over UDP and TCP.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/support/index.js';
import { generateClientSource } from './generate.js';
import { loadManifestFromUrl } from './load-manifest.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const TSC = join(ROOT, 'node_modules/.bin/tsc');

// Every line under "@ts-expect-error" must be a type error: if the stub's types were `any`, the
// directive would be unused and tsc would fail.
const USAGE = `import { type AppClient, createAppClient, type KvGetOutput } from './app-client.js';

export async function typeChecks(client: AppClient): Promise<void> {
  // @ts-expect-error \`a\` is a number
  await client.echo.add({ a: 'one', b: 2 });
  // @ts-expect-error kv.get needs a key
  await client.kv.get({});
  const { sum } = await client.echo.add({ a: 1, b: 2 });
  // @ts-expect-error the sum is a number
  const text: string = sum;
  const got: KvGetOutput = await client.kv.get({ key: 'k' }, { timeoutMs: 100 });
  await client.echo.ping();
  void [text, got];
}

const urls = process.argv.slice(2);
for (const url of urls) {
  const transport = url.slice(0, url.indexOf(':'));
  const client = createAppClient(url, { timeoutMs: 5000 });
  try {
    const { sum } = await client.echo.add({ a: 2, b: 3 });
    const key = \`greeting-\${transport}\`;
    const { version } = await client.kv.set({ key, value: \`hello over \${transport}\` });
    const { value } = await client.kv.get({ key });
    console.log(JSON.stringify({ transport, sum, version, value }));
  } finally {
    await client.close();
  }
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    customConditions: ['@volley/source'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: true,
    noEmitOnError: true,
    outDir: 'out',
  },
  files: ['app-client.ts', 'usage.ts'],
};

describe('a generated stub', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer();
    // Inside the repository (git-ignored) so that `@volley/client` resolves from its node_modules.
    await mkdir(join(ROOT, 'packages/codegen/.tmp'), { recursive: true });
    dir = await mkdtemp(join(ROOT, 'packages/codegen/.tmp/stub-'));
  });

  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('compiles with tsc in strict mode, rejects wrong types, and calls a live server over UDP and TCP', {
    timeout: 120_000,
  }, async () => {
    const manifest = await loadManifestFromUrl(server.tcpUrl, { timeoutMs: 5000 });
    await writeFile(
      join(dir, 'app-client.ts'),
      await generateClientSource(manifest, { source: server.tcpUrl, name: 'app' }),
    );
    await writeFile(join(dir, 'usage.ts'), USAGE);
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));

    // tsc prints its diagnostics on stdout and exits non-zero; show them rather than the exit code.
    const compiled = await run(TSC, ['-p', dir]).catch((error: { stdout: string }) => error);
    expect(compiled.stdout, 'tsc diagnostics').toBe('');
    const args = [
      '--conditions=@volley/source',
      '--import',
      'tsx',
      join(dir, 'out/usage.js'),
      server.udpUrl,
      server.tcpUrl,
    ];
    const { stdout } = await run(process.execPath, args, { cwd: ROOT, timeout: 60_000 });
    // One store behind both transports: every set gets the next version.
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { transport: 'udp', sum: 5, version: 1, value: 'hello over udp' },
      { transport: 'tcp', sum: 5, version: 2, value: 'hello over tcp' },
    ]);
  });
});
