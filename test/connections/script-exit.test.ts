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
/**
 * How long a child holding only a pending call must stay alive. Not a deterministic signal: no
 * event says "will not exit", so "does not exit" is a window. A child whose sockets were unref'd
 * too early exits as soon as its event loop is empty, within milliseconds of sending; the window
 * covers its exit reaching us on a loaded machine. A slow machine can only let such a bug pass
 * unseen, never fail a correct client.
 */
const STAYS_ALIVE_MS = 300;

const resources = new Resources();
afterEach(() => resources.closeAll());

interface Run {
  /** Resolves when the child exits by itself; rejects (and kills it) past {@link EXIT_BOUND_MS}. */
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Resolves true as soon as `run` exits, or false once it has stayed alive for `ms`. */
async function exitsWithin(run: Run, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const stayed = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  // A rejection of `exited` (the child outlived EXIT_BOUND_MS) is the later `await run.exited`'s to report.
  const exited = run.exited.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([exited, stayed]);
  } finally {
    clearTimeout(timer);
  }
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
      resolve({ code, stdout, stderr });
    });
  });
  return { exited };
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
      // Nothing but the pending call holds the child: unref'd too early, it exits (and this ends at its exit event).
      expect(await exitsWithin(run, STAYS_ALIVE_MS)).toBe(false);
      probe.release();
      expect(await run.exited).toMatchObject({ code: 0, stdout: '{"released":true}\n' });
    });
  }
});
