/**
 * `npm start` as `docker stop` or systemd stops it: SIGTERM to npm itself. npm passes the signal
 * to the process it started; the script `exec`s node so that process is the server, not a shell
 * that would die and leave the server orphaned and serving.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient, type VolleyClient } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { HEALTH_PROCEDURE, type HealthReport } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const children: ChildProcessWithoutNullStreams[] = [];
const clients: VolleyClient<AppRouter>[] = [];
const blockers: NetServer[] = [];

afterEach(async () => {
  // npm leads its own group here: killing the group reaches a server npm left behind, even
  // after npm itself has exited (ESRCH when the whole group is gone).
  for (const child of children.splice(0)) {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {}
  }
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(blockers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function npmStart(args: readonly string[], options: { workspace?: string; env?: NodeJS.ProcessEnv } = {}) {
  const workspace = options.workspace === undefined ? [] : ['-w', options.workspace];
  const child = spawn('npm', ['start', ...workspace, '--', ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...options.env },
  });
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output, exited };
}

/** The TCP port of npm start's "serving" line, once it has printed one (generous: npm and tsx start first). */
async function servingPort(output: { stdout: string; stderr: string }): Promise<number> {
  const port = () => /"tcp":"tcp:\/\/127\.0\.0\.1:(\d+)"/.exec(output.stdout)?.[1];
  await waitFor(() => port() !== undefined, { what: 'npm start to serve', timeoutMs: 20_000 }).catch((error: Error) => {
    throw new Error(`${error.message}\nstdout: ${output.stdout}\nstderr: ${output.stderr}`);
  });
  return Number(port());
}

describe('npm start', () => {
  it('drains on SIGTERM sent to npm: the call in flight completes and npm exits 0', async () => {
    const started = npmStart(['--port', '0']);
    const port = await servingPort(started.output);
    const client = createClient<AppRouter>(`tcp://127.0.0.1:${port}`);
    clients.push(client);
    const slow = client.echo.slow({ ms: 800 });
    await waitFor(async () => ((await client.call(HEALTH_PROCEDURE, undefined)) as HealthReport).inFlight >= 1, {
      what: 'the slow call to reach the server',
      timeoutMs: 10_000,
    });
    started.child.kill('SIGTERM');

    expect((await slow).sleptMs).toBeGreaterThanOrEqual(800);
    expect(await started.exited).toBe(0);
    expect(started.output.stdout).toContain('"msg":"closing: draining in-flight calls"');
    expect(started.output.stdout).toContain('"msg":"closed"');
  }, 30_000);

  it('reports a port in use as one line, without a stack trace, and exits non-zero', async () => {
    const blocker = createNetServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const started = npmStart(['--port', String(port), '--log-level', 'silent']);
    expect(await started.exited).toBe(1);
    expect(started.output.stderr).toContain(
      `npm start: cannot listen on tcp 127.0.0.1:${port}: the port is in use (EADDRINUSE)`,
    );
    expect(started.output.stderr + started.output.stdout).not.toMatch(/^\s+at /m);
  }, 30_000);

  it.each([
    ['@volley/service-echo', 'echo'],
    ['@volley/service-kv', 'kv'],
  ])(
    '%s alone reports a port in use as one line and exits 1',
    async (workspace, name) => {
      const blocker = createNetServer();
      blockers.push(blocker);
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const { port } = blocker.address() as { port: number };
      const started = npmStart([], { workspace, env: { PORT: String(port), LOG_LEVEL: 'silent' } });
      expect(await started.exited).toBe(1);
      expect(started.output.stderr).toContain(
        `${name}: cannot listen on tcp 127.0.0.1:${port}: the port is in use (EADDRINUSE)`,
      );
      expect(started.output.stderr + started.output.stdout).not.toMatch(/^\s+at /m);
    },
    30_000,
  );

  it('serves Prometheus metrics with VOLLEY_METRICS, at the URL of its serving line', async () => {
    const started = npmStart(['--port', '0'], { env: { VOLLEY_METRICS: '127.0.0.1:0' } });
    const port = await servingPort(started.output);
    const client = createClient<AppRouter>(`tcp://127.0.0.1:${port}`);
    clients.push(client);
    await client.echo.add({ a: 1, b: 2 });
    const url = /"metrics":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/.exec(started.output.stdout)?.[1];
    const text = await (await fetch(url ?? 'http://127.0.0.1:1/metrics')).text();
    expect(text).toMatch(/rpc_server_duration_count\{[^}]*rpc_method="add",network_transport="tcp"[^}]*\} 1/);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  }, 30_000);

  it('reports a bad --metrics value as one line and exits 2', async () => {
    const started = npmStart(['--metrics', 'nine']);
    expect(await started.exited).toBe(2);
    expect(started.output.stderr).toContain('npm start: --metrics must be [host:]port');
  }, 30_000);

  it('reports a bad flag as one line and exits 2', async () => {
    const started = npmStart(['--prot', '4000']);
    expect(await started.exited).toBe(2);
    expect(started.output.stderr).toContain("npm start: Unknown option '--prot'");
    expect(started.output.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);
});
