import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startLocalRegistry, startTripwire, type Tripwire } from './local-registry.js';
import { type CommandRun, mustRun, runCommand } from './run-command.js';
import { REPO_ROOT, type StagedPackage, stageAndBuildPackages } from './stage-packages.js';
import { type PackedPackage, packThirdParty, seedRegistryStorage, thirdPartyClosure } from './third-party.js';

/*
 * Issue 14: the packages as a user gets them. Builds every package, publishes it to a verdaccio
 * on loopback, installs it in a fresh folder outside the repository, compiles a service and a
 * typed client with a strict tsc, runs them with plain node over UDP and TCP, runs the globally
 * installed `volley` against them (and serves the router with it, drained by SIGTERM), and
 * requires the packages from CommonJS. Nothing reaches outside loopback: the registry has no
 * uplink, and holds the third-party packages too, packed from the repository's own node_modules;
 * npm's proxy for any other host is a tripwire that counts attempts.
 */

const SETUP_TIMEOUT_MS = 600_000;
const STEP_TIMEOUT_MS = 120_000;
const FIXTURE = new URL('./fixture/', import.meta.url);

/** What the fresh project installs besides the @volley packages and their dependencies. */
const PROJECT_PACKAGES = ['zod', 'typescript', '@types/node'];

/** The compiler and node types the fresh project installs: the repository's own versions. */
const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

let temp = '';
let registry: LocalRegistry | undefined;
let tripwire: Tripwire | undefined;
/** The tripwire's count once the installs are done. */
let attemptsDuringInstall = -1;
let staged: StagedPackage[] = [];
let thirdParty: PackedPackage[] = [];
let app = '';
let volleyBin = '';
let env: NodeJS.ProcessEnv = {};

/** Runs `npm args` in `cwd` against the local registry only, with the test's own npm config and cache. */
const npm = (args: readonly string[], cwd: string) => mustRun('npm', args, { cwd, env, timeoutMs: 300_000 });
const node = (args: readonly string[], cwd = app) =>
  runCommand(process.execPath, args, { cwd, env, timeoutMs: STEP_TIMEOUT_MS });
const tsc = (args: readonly string[]) => node([join(app, 'node_modules/typescript/bin/tsc'), ...args]);
const volley = (args: readonly string[]) => node([volleyBin, ...args]);
const failure = (run: CommandRun) => `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'volley-install-'));
  const registryDir = join(temp, 'registry');
  mkdirSync(registryDir);
  // The build, the packing of the third-party packages (cached in the temp dir across runs) and
  // verdaccio's start overlap; `registry` is set as soon as it runs, so afterAll stops it even
  // when the build fails.
  const building = stageAndBuildPackages(join(temp, 'stage'));
  building.catch(() => undefined);
  const packing = packThirdParty(thirdPartyClosure(PROJECT_PACKAGES));
  packing.catch(() => undefined);
  registry = await startLocalRegistry(registryDir);
  tripwire = await startTripwire();
  staged = await building;
  thirdParty = await packing;

  // Nothing of the caller's npm setup leaks in (`npm test` exports npm_config_*, the machine may
  // have a global npmrc); one user config names the local registry and a throwaway token
  // (verdaccio lets anyone publish), and sends a request for any other host to the tripwire.
  const host = new URL(registry.url).host;
  const userConfig = join(temp, 'npmrc');
  const globalConfig = join(temp, 'global-npmrc');
  writeFileSync(globalConfig, '');
  writeFileSync(
    userConfig,
    [
      `registry=${registry.url}`,
      `//${host}/:_authToken=throwaway-install-test`,
      `proxy=${tripwire.url}`,
      `https-proxy=${tripwire.url}`,
      `noproxy=${new URL(registry.url).hostname}`,
      'audit=false',
      'fund=false',
      'update-notifier=false',
      'loglevel=warn',
      `cache=${join(temp, 'npm-cache')}`,
      '',
    ].join('\n'),
  );
  env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^npm_/i.test(key) && !/^(https?|no|all)_proxy$/i.test(key) && key !== 'NODE_OPTIONS',
    ),
  );
  env.npm_config_userconfig = userConfig;
  env.npm_config_globalconfig = globalConfig;

  const url = registry.url;
  seedRegistryStorage(registry.storage, url, thirdParty);
  await Promise.all(staged.map(({ dir }) => npm(['publish', dir, '--registry', url], temp)));

  app = join(temp, 'app');
  cpSync(FIXTURE, app, { recursive: true });
  // The user's project already has its compiler: the one install below brings it with the packages.
  const devDependencies = { typescript: versionOf('typescript'), '@types/node': versionOf('@types/node') };
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'volley-install-check', private: true, type: 'module', devDependencies }, null, 2)}\n`,
  );
  writeFileSync(join(app, '.npmrc'), `registry=${registry.url}\n`);
  const global = join(temp, 'global');
  await Promise.all([
    npm(['install', '@volley/server', '@volley/client', '@volley/router', 'zod'], app),
    npm(['install', '--global', '--prefix', global, 'volley'], temp),
  ]);
  volleyBin = join(global, 'bin', 'volley');
  attemptsDuringInstall = tripwire.attempts();
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await registry?.stop();
  await tripwire?.stop();
  if (temp !== '') rmSync(temp, { recursive: true, force: true });
});

describe('packages installed from a registry', { timeout: STEP_TIMEOUT_MS }, () => {
  it('the installs reach nothing but the local registry, which has no uplink', async () => {
    expect(readFileSync(registry?.config as string, 'utf8')).not.toMatch(/uplinks|proxy/);
    expect(attemptsDuringInstall).toBe(0);
    // Every package of the project came from the local registry (a global install keeps no lockfile).
    const { packages } = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    const installed = Object.entries(packages).filter(([path]) => path !== '');
    expect(installed.length).toBeGreaterThan(0);
    for (const [path, { resolved }] of installed)
      expect(resolved?.startsWith(registry?.url as string), `${path}: ${resolved}`).toBe(true);
    // A package it was not given is not found, rather than fetched from elsewhere.
    const missing = await runCommand('npm', ['view', 'left-pad', 'version'], { cwd: temp, env });
    expect(missing.code, failure(missing)).not.toBe(0);
    expect(missing.stderr).toContain('E404');
    // And a request for another host goes to the tripwire, and fails.
    const elsewhere = await runCommand(
      'npm',
      ['view', 'zod', 'version', '--registry', 'https://registry.npmjs.org/', '--fetch-retries', '0'],
      { cwd: temp, env },
    );
    expect(elsewhere.code, failure(elsewhere)).not.toBe(0);
    expect(tripwire?.attempts()).toBeGreaterThan(attemptsDuringInstall);
  });

  it('every package installs at its published version with only dist, README and LICENSE', () => {
    expect(staged.map(({ name }) => name).sort()).toEqual([
      '@volley/client',
      '@volley/codegen',
      '@volley/router',
      '@volley/server',
      '@volley/transport',
      '@volley/wire',
      'volley',
    ]);
    for (const name of ['@volley/wire', '@volley/transport', '@volley/router', '@volley/server', '@volley/client']) {
      const dir = join(app, 'node_modules', name);
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version).toBe('0.1.0');
      expect(readdirSync(dir).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
      expect(existsSync(join(dir, 'dist/index.d.ts')) && existsSync(join(dir, 'dist/index.js.map'))).toBe(true);
    }
  });

  it('zod is installed once, the copy the user asked for', () => {
    const copies = findPackages(join(app, 'node_modules'), 'zod');
    expect(copies).toEqual([join(app, 'node_modules', 'zod')]);
  });

  it('@opentelemetry/api is installed once, shared by the server and the client', () => {
    const copies = findPackages(join(app, 'node_modules'), 'api').filter((path) => path.endsWith('@opentelemetry/api'));
    expect(copies).toEqual([join(app, 'node_modules', '@opentelemetry', 'api')]);
  });

  it('a strict tsc compiles the service and its typed client against the installed declarations', async () => {
    const run = await tsc(['-p', app, '--strict']);
    expect(run.code, failure(run)).toBe(0);
  });

  it('a call with the wrong input type fails to compile', async () => {
    // Inside the project, so the incremental build reuses what the strict compile checked.
    const wrong = join(app, 'src/wrong-call.ts');
    writeFileSync(
      wrong,
      [
        "import { createClient } from '@volley/client';",
        "import type { AppRouter } from './app-router.js';",
        "const client = createClient<AppRouter>('udp://127.0.0.1:1');",
        "await client.math.add({ a: 1, b: 'two' });",
        '',
      ].join('\n'),
    );
    try {
      const run = await tsc(['-p', app, '--strict', '--noEmit']);
      expect(run.code).toBe(2);
      expect(run.stdout.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^src\/wrong-call\.ts\(4,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
        ),
      ]);
    } finally {
      rmSync(wrong);
    }
  });

  it('a CommonJS program requires the packages and makes a call', async () => {
    const run = await node([join(app, 'require-check.cjs')]);
    expect(run.code, failure(run)).toBe(0);
    expect(run.stdout).toContain('result {"doubled":42,"rpcError":"function"}');
  });

  describe('the compiled service under plain node', () => {
    let server: ChildProcess | undefined;
    let port = 0;

    beforeAll(async () => {
      if (!existsSync(join(app, 'dist/server.js'))) {
        const compiled = await tsc(['-p', app, '--strict']);
        expect(compiled.code, failure(compiled)).toBe(0);
      }
      server = spawn(process.execPath, [join(app, 'dist/server.js')], {
        cwd: app,
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      port = await listeningPort(server);
    }, STEP_TIMEOUT_MS);

    afterAll(async () => {
      if (server && server.exitCode === null) {
        const exited = once(server, 'exit');
        server.kill('SIGTERM');
        await exited;
      }
    });

    it('answers the typed client over UDP and TCP', async () => {
      const run = await node([join(app, 'dist/client.js'), String(port)]);
      expect(run.code, failure(run)).toBe(0);
      expect(
        run.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual([
        { scheme: 'udp', sum: 3, greeting: 'hello udp' },
        { scheme: 'tcp', sum: 3, greeting: 'hello tcp' },
      ]);
    });

    it('the global volley calls it over UDP and TCP', async () => {
      for (const scheme of ['udp', 'tcp']) {
        const run = await volley(['call', `${scheme}://127.0.0.1:${port}`, 'math.add', '{"a":2,"b":3}']);
        expect(run.code, failure(run)).toBe(0);
        expect(JSON.parse(run.stdout)).toEqual({ sum: 5 });
      }
    });

    it('the global volley describes its procedures', async () => {
      const run = await volley(['describe', `udp://127.0.0.1:${port}`, '--json']);
      expect(run.code, failure(run)).toBe(0);
      expect(run.stdout).toContain('math.add');
      expect(run.stdout).toContain('greet');
    });

    it('the global volley generates a client that a strict tsc compiles', async () => {
      const out = join(app, 'src/generated/app-client.ts');
      mkdirSync(join(app, 'src/generated'), { recursive: true });
      const run = await volley(['gen', `udp://127.0.0.1:${port}`, '-o', out, '--name', 'App']);
      expect(run.code, failure(run)).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain("from '@volley/client'");
      const compiled = await tsc(['-p', app, '--strict']);
      expect(compiled.code, failure(compiled)).toBe(0);
    });

    it('the global volley serves the built router, answers a call, and drains on SIGTERM, exiting 0', async () => {
      const serving = spawn(process.execPath, [volleyBin, 'serve', join(app, 'dist/app-router.js'), '--port', '0'], {
        cwd: app,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      serving.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      serving.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const exited = once(serving, 'exit').then(([code]) => code as number | null);
      try {
        const servePort = await new Promise<number>((resolve, reject) => {
          const onData = () => {
            const match = /"tcp":"tcp:\/\/127\.0\.0\.1:(\d+)".*"msg":"serving/.exec(stdout);
            if (match) resolve(Number(match[1]));
          };
          serving.stdout.on('data', onData);
          void exited.then((code) =>
            reject(new Error(`volley serve exited ${code}\nstdout: ${stdout}\nstderr: ${stderr}`)),
          );
        });
        const run = await volley(['call', `tcp://127.0.0.1:${servePort}`, 'math.add', '{"a":20,"b":22}']);
        expect(run.code, failure(run)).toBe(0);
        expect(JSON.parse(run.stdout)).toEqual({ sum: 42 });

        serving.kill('SIGTERM');
        expect(await exited, `stdout: ${stdout}\nstderr: ${stderr}`).toBe(0);
        const messages = stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => (JSON.parse(line) as { msg: string }).msg);
        expect(messages).toContain('closing: draining in-flight calls');
        expect(messages.at(-1)).toBe('closed');
        expect(stderr).toBe('');
      } finally {
        if (serving.exitCode === null && serving.signalCode === null) serving.kill('SIGKILL');
      }
    });
  });
});

/** Every folder named `name` under a node_modules tree. */
function findPackages(nodeModules: string, name: string): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name === name) found.push(path);
      else if (entry.name.startsWith('@') || entry.name === 'node_modules') visit(path);
      else if (existsSync(join(path, 'node_modules'))) visit(join(path, 'node_modules'));
    }
  };
  visit(nodeModules);
  return found;
}

/** Reads the port from the server's `listening on <tcp> <udp>` line. */
async function listeningPort(server: ChildProcess): Promise<number> {
  let output = '';
  return new Promise((resolve, reject) => {
    server.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on (\d+) (\d+)/.exec(output);
      if (match) {
        if (match[1] !== match[2]) reject(new Error(`UDP and TCP on different ports: ${match[0]}`));
        resolve(Number(match[1]));
      }
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}
