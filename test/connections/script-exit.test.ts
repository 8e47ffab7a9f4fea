/**
 * A client with no call pending does not keep the process alive: its sockets are ref'd only
 * while calls wait for replies, so a script that forgets `close()` still exits, over UDP (its
 * TCP route included) and TCP, and does not exit while a call waits.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createProbe, createTestRouter, Resources, startTestServer, waitFor } from '../support/index.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/forgetful-script.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Bounds a hang (a child kept alive); not a timing assertion. */
const EXIT_BOUND_MS = 15_000;

const resources = new Resources();
afterEach(() => resources.closeAll());

interface Run {
  /** Resolves when the child exits by itself; rejects (and kills it) past {@link EXIT_BOUND_MS}. */
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** True once the child is gone. */
  readonly done: () => boolean;
}

/** Runs the forgetful script in a child Node process, from TypeScript sources. */
function runScript(url: string, procedure: string, input: unknown, tcpFallback?: string): Run {
  const args = [SCRIPT, url, procedure, JSON.stringify(input), ...(tcpFallback === undefined ? [] : [tcpFallback])];
  const child = spawn(process.execPath, ['--conditions=@volley/source', '--import', 'tsx', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  resources.track({ close: () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL') });
  let stdout = '';
  let stderr = '';
  let done = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the script was still running after ${EXIT_BOUND_MS} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, EXIT_BOUND_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      done = true;
      resolve({ code, stdout, stderr });
    });
  });
  return { exited, done: () => done };
}

describe('a script that never closes its client', () => {
  it('exits by itself once its UDP call is answered', async () => {
    const app = resources.track(await startTestServer());
    const { code, stdout, stderr } = await runScript(app.udpUrl, 'echo.add', { a: 1, b: 2 }).exited;
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: '{"sum":3}\n', stderr: '' });
  });

  it('exits by itself once its TCP call is answered', async () => {
    const app = resources.track(await startTestServer());
    const { code, stdout, stderr } = await runScript(app.tcpUrl, 'echo.add', { a: 1, b: 2 }).exited;
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: '{"sum":3}\n', stderr: '' });
  });

  it('exits by itself once a UDP call too large for a datagram is answered over the TCP route', async () => {
    const app = resources.track(await startTestServer());
    const message = 'x'.repeat(2000);
    const { code, stdout } = await runScript(app.udpUrl, 'echo.echo', { message }, app.tcpUrl).exited;
    expect({ code, stdout }).toEqual({ code: 0, stdout: `${JSON.stringify({ message })}\n` });
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`stays alive while its ${transport.toUpperCase()} call is pending, then exits once it is answered`, async () => {
      const probe = createProbe();
      const app = resources.track(await startTestServer({ router: createTestRouter(probe) }));
      const run = runScript(transport === 'udp' ? app.udpUrl : app.tcpUrl, 'probe.hold', {});
      await waitFor(() => probe.holding === 1, { timeoutMs: EXIT_BOUND_MS, what: 'the call to reach the server' });
      // Nothing but the pending call holds the child: unref'd too early, it would be gone by now.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(run.done()).toBe(false);
      probe.release();
      expect(await run.exited).toMatchObject({ code: 0, stdout: '{"released":true}\n' });
    });
  }
});
