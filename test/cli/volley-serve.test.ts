/** `volley serve` as a supervisor runs it: a real process, stopped with SIGTERM. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient, type VolleyClient } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { HEALTH_PROCEDURE, type HealthReport } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/index.js';
import { runVolley, VOLLEY_BIN } from './run-volley.js';

const APP_ROUTER = fileURLToPath(new URL('../../services/app/src/app-router.ts', import.meta.url));

interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

const children: ChildProcessWithoutNullStreams[] = [];
const clients: VolleyClient<AppRouter>[] = [];
const blockers: NetServer[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    // Each child leads its own group: kill the group, or the tsx child the workspace's
    // bin/volley.js runs outlives the test (ESRCH when the whole group is gone).
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {}
  }
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(blockers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Spawns `volley serve <args>` in its own process group and resolves once its "serving" line names the port. */
async function serve(args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [VOLLEY_BIN, 'serve', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "serving" line in 20 s\nstdout: ${stdout}\nstderr: ${stderr}`)),
      20_000,
    );
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const match = /"tcp":"tcp:\/\/127\.0\.0\.1:(\d+)".*"msg":"serving/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then((code) => reject(new Error(`volley serve exited ${code}\nstdout: ${stdout}\nstderr: ${stderr}`)));
  });
  return { child, port, exited, stdout: () => stdout, stderr: () => stderr };
}

function logLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('volley serve', () => {
  it('drains on SIGTERM: the call in flight completes and the process exits 0', async () => {
    const served = await serve([APP_ROUTER, '--port', '0', '--host', '127.0.0.1']);
    const client = createClient<AppRouter>(`tcp://127.0.0.1:${served.port}`);
    clients.push(client);
    const slow = client.echo.slow({ ms: 800 });
    await waitFor(async () => ((await client.call(HEALTH_PROCEDURE, undefined)) as HealthReport).inFlight >= 1, {
      what: 'the slow call to reach the server',
      timeoutMs: 10_000,
    });
    served.child.kill('SIGTERM');

    expect((await slow).sleptMs).toBeGreaterThanOrEqual(800);
    expect(await served.exited).toBe(0);
    const lines = logLines(served.stdout());
    expect(lines.find((line) => line.msg === 'closing: draining in-flight calls')).toMatchObject({ inFlight: 1 });
    expect(lines.at(-1)?.msg).toBe('closed');
    expect(served.stderr()).toBe('');
  }, 30_000);

  it('exits 0 on Ctrl-C (SIGINT to the process group), and serves UDP on the port it shares with TCP', async () => {
    const served = await serve([APP_ROUTER, '--port', '0']);
    const client = createClient<AppRouter>(`udp://127.0.0.1:${served.port}`);
    clients.push(client);
    expect(await client.echo.add({ a: 2, b: 40 })).toEqual({ sum: 42 });
    // A terminal sends SIGINT to its whole foreground group: the workspace's bin/volley.js and the
    // tsx child it runs both get one (which is why the wrapper does not forward SIGINT itself).
    process.kill(-(served.child.pid as number), 'SIGINT');
    expect(await served.exited).toBe(0);
  }, 30_000);

  it('exits 0 after the drain even when the module keeps a timer running', async () => {
    const served = await serve([
      fileURLToPath(new URL('./fixtures/lingering-router.ts', import.meta.url)),
      '--port',
      '0',
    ]);
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
  }, 30_000);

  it('reports a port in use as one line on stderr and exits 4, without a stack trace', async () => {
    const blocker = createNetServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const run = await runVolley(['serve', APP_ROUTER, '--tcp', String(port)]);
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(`volley serve: cannot listen on tcp 127.0.0.1:${port}: the port is in use (EADDRINUSE)\n`);
    expect(run.stderr + run.stdout).not.toMatch(/^\s+at /m);
  }, 30_000);

  it('serves from two worker processes with --workers 2, and drains them all on SIGTERM, exiting 0', async () => {
    const served = await serve([APP_ROUTER, '--port', '0', '--workers', '2']);
    // TCP connections are dealt round robin: eight clients reach both workers.
    const reports = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const client = createClient<AppRouter>(`tcp://127.0.0.1:${served.port}`);
        clients.push(client);
        return (await client.call(HEALTH_PROCEDURE, undefined)) as HealthReport;
      }),
    );
    expect(new Set(reports.map((report) => `${report.worker?.id}/${report.worker?.count}`))).toEqual(
      new Set(['1/2', '2/2']),
    );
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    const lines = logLines(served.stdout());
    expect(lines.filter((line) => line.msg === 'closed')).toHaveLength(2);
    expect(lines.at(-1)?.msg).toBe('cluster closed: every worker exited');
  }, 60_000);

  it('reports a port in use once, on stderr, and exits 4 with --workers', async () => {
    const blocker = createNetServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const run = await runVolley(['serve', APP_ROUTER, '--tcp', String(port), '--workers', '2'], { timeoutMs: 60_000 });
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(`volley serve: cannot listen on tcp 127.0.0.1:${port}: the port is in use (EADDRINUSE)\n`);
  }, 60_000);

  it('rejects --workers 0 with one line and exit 2', async () => {
    const run = await runVolley(['serve', APP_ROUTER, '--workers', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--workers must be "auto" or a whole number ≥ 1, got "0"');
  });

  it('rejects an unknown flag with one line and exit 2', async () => {
    const run = await runVolley(['serve', APP_ROUTER, '--prot', '4000']);
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain("Unknown flag '--prot'. Did you mean --port?");
  });

  it('rejects a bad port value with one line and exit 2', async () => {
    const run = await runVolley(['serve', APP_ROUTER, '--port', '70000']);
    expect(run).toMatchObject({
      code: 2,
      stderr: `volley serve: --port must be a port from 0 to 65535, got "70000". Run 'volley serve --help'.\n`,
    });
  });

  it('reports a module without a router as one line and exit 4', async () => {
    const run = await runVolley(['serve', fileURLToPath(new URL('./run-volley.ts', import.meta.url))]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^volley serve: .*run-volley\.ts has no single router export/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
