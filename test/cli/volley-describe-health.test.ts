/** `volley describe` and `volley health` end to end, against real servers over UDP and TCP. */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/index.js';
import { type CliServer, closedPort, startCliServer } from './cli-fixture.js';
import { runVolley } from './run-volley.js';

const servers: CliServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(options: Parameters<typeof startCliServer>[0] = {}): Promise<CliServer> {
  const server = await startCliServer(options);
  servers.push(server);
  return server;
}

describe('volley describe', () => {
  it.each(['udp', 'tcp'] as const)(
    'lists every procedure with flags, shapes and examples over %s',
    async (transport) => {
      const server = await serve();
      const run = await runVolley(['describe', server[transport]]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^demo 1\.0\.0 · protocol 1 · 12 procedures\n/);
      expect(run.stdout).toContain(
        [
          'echo.add  (idempotent)',
          '  Adds two numbers.',
          '  input:  { a: number, b: number }',
          '  output: { sum: number }',
          '  example: {"a":1,"b":2} → {"sum":3}',
        ].join('\n'),
      );
      expect(run.stdout).toContain('kv.set  (not idempotent)');
      expect(run.stdout).toContain('  input:  { key: string, value: string, ttlMs?: integer }');
      expect(run.stdout).toContain(
        '  example (expires after a minute): {"key":"greeting","value":"hello","ttlMs":60000} → {"version":1}',
      );
      expect(run.stdout).toContain(
        'echo.ping  (idempotent)\n  Answers with the server time; takes no input.\n  input:  none\n  output: { pong: true, time: number }',
      );
      expect(run.stdout).toContain('  output: { value: string | null, version: number | null }');
      expect(run.stdout).toContain('  input:  { prefix?: string, limit?: integer } (optional)');
    },
  );

  it('shows one procedure with its JSON Schemas', async () => {
    const server = await serve();
    const run = await runVolley(['describe', server.udp, 'echo.fail']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('echo.fail  (not idempotent)');
    expect(run.stdout).toContain(
      '  input:  { code: "NOT_FOUND" | "PERMISSION_DENIED" | "INTERNAL", message?: string }',
    );
    expect(run.stdout).toContain('  output: any');
    expect(run.stdout).toContain('  input schema:\n    {\n');
    expect(run.stdout).not.toContain('echo.add');
  });

  it('prints the manifest as the server sent it with --json', async () => {
    const server = await serve();
    const run = await runVolley(['describe', server.tcp, '--json']);
    const manifest = JSON.parse(run.stdout);
    expect(manifest).toMatchObject({ protocol: 1, service: { name: 'demo', version: '1.0.0' } });
    expect(manifest.procedures).toHaveLength(12);
  });

  it('exits 11 with suggestions for an unknown procedure', async () => {
    const server = await serve();
    const run = await runVolley(['describe', server.udp, 'add']);
    expect(run.code).toBe(11);
    expect(run.stderr).toMatch(
      /^NOT_FOUND: No procedure named "add" on udp:\/\/127\.0\.0\.1:\d+\. Did you mean echo\.add\?/,
    );
  });

  it('exits 11 and says so when reflection is turned off', async () => {
    const server = await serve({ reflection: false });
    const run = await runVolley(['describe', server.tcp]);
    expect(run.code).toBe(11);
    expect(run.stderr).toMatch(/does not answer \$describe: reflection is turned off/);
  });
});

describe('volley health', () => {
  it.each(['udp', 'tcp'] as const)('exits 0 and says serving over %s', async (transport) => {
    const server = await serve();
    const run = await runVolley(['health', server[transport]]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^serving · up \S+ · 0 calls in flight · protocol 1\n$/);
  });

  it('prints the report with --json', async () => {
    const server = await serve();
    const run = await runVolley(['health', `127.0.0.1:${server.port}`, '--tcp', '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'serving', protocol: 1, inFlight: 0 });
  });

  it('exits 1 and says draining while the server shuts down', async () => {
    const server = await serve();
    // Not awaited: the call stays in flight while the server drains.
    const hold = runVolley(['call', server.tcp, 'probe.hold', '{"ms":3000}']);
    // Generous: the CLI starts a process before it calls.
    await waitFor(() => server.server.inFlight === 1, { what: 'the CLI call to reach the server', timeoutMs: 10_000 });
    const closing = server.server.close({ graceMs: 10_000 });
    const run = await runVolley(['health', server.udp]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^draining · up \S+ · 1 call in flight/);
    expect((await hold).code).toBe(0);
    await closing;
  });

  it('exits with the error code when the server cannot be reached or has health turned off', async () => {
    const port = await closedPort();
    expect((await runVolley(['health', `tcp://127.0.0.1:${port}`, '--timeout', '1000'])).code).toBe(16);
    // Over UDP the ICMP port-unreachable ends the call long before --timeout: 16, not 17.
    expect((await runVolley(['health', `udp://127.0.0.1:${port}`, '--timeout', '10000'])).code).toBe(16);
    const server = await serve({ health: false });
    const off = await runVolley(['health', server.udp]);
    expect(off.code).toBe(11);
    expect(off.stderr).toMatch(/^NOT_FOUND: No procedure named "\$health"/);
  });
});
