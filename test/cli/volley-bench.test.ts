/** `volley bench` end to end: the real binary against a real server over UDP and TCP. Asserts behaviour, never speed. */
import { createServer, type Server } from '@volley/server';
import { createAppRouter } from '@volley/service-app';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runVolley, type VolleyRun } from './run-volley.js';

/** Spawning the CLI through tsx takes a second or two on a loaded machine; the runs themselves are short. */
const RUN_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 90_000;

let server: Server;
const urls = { udp: '', tcp: '' };

beforeEach(async () => {
  server = createServer({ router: createAppRouter(), logger: pino({ level: 'silent' }) });
  const bound = await server.listen({ udp: { host: '127.0.0.1', port: 0 }, tcp: { host: '127.0.0.1', port: 0 } });
  urls.udp = `udp://127.0.0.1:${bound.udp?.port}`;
  urls.tcp = `tcp://127.0.0.1:${bound.tcp?.port}`;
});

afterEach(async () => {
  await server.close();
});

function bench(args: readonly string[], stdin?: string): Promise<VolleyRun> {
  return runVolley(['bench', ...args], { timeoutMs: RUN_TIMEOUT_MS, ...(stdin !== undefined && { stdin }) });
}

describe('volley bench', () => {
  it.each(['udp', 'tcp'] as const)(
    'makes exactly 300 successful calls over %s and reports ordered percentiles as JSON',
    async (transport) => {
      const run = await bench([urls[transport], 'echo.add', '{"a":1,"b":2}', '--calls', '300', '--concurrency', '8', '--json']);
      expect(run.code).toBe(0);
      // Not a TTY: one line of JSON, no progress on stderr.
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({ target: urls[transport], procedure: 'echo.add', transport, concurrency: 8, connections: 1, calls: 300, ok: 300, errors: {} });
      const { min, p50, p90, p99, p999, max } = report.latencyMs;
      expect(min).toBeLessThanOrEqual(p50);
      expect(p50).toBeLessThanOrEqual(p90);
      expect(p90).toBeLessThanOrEqual(p99);
      expect(p99).toBeLessThanOrEqual(p999);
      expect(p999).toBeLessThanOrEqual(max);
      expect(report.histogram.reduce((sum: number, bucket: { count: number }) => sum + bucket.count, 0)).toBe(300);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'prints a text report with percentile lines and a histogram',
    async () => {
      const run = await bench([urls.udp, 'echo.add', '{"a":1,"b":2}', '--calls', '200', '-c', '4']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^ {2}Calls:\s+200$/m);
      expect(run.stdout).toMatch(/^ {2}Errors:\s+0$/m);
      for (const label of ['p50', 'p99', 'p99\\.9']) expect(run.stdout).toMatch(new RegExp(`^ {2}${label}\\s+\\d+\\.\\d+$`, 'm'));
      expect(run.stdout).toContain('Latency histogram (ms):');
      expect(run.stdout).toMatch(/^ {2}\s*\d+\.\d+ \[\s*\d+\] \|█+$/m);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'counts every failed call by code and exits 1, still printing the report',
    async () => {
      const run = await bench([urls.tcp, 'echo.fail', '{"code":"NOT_FOUND"}', '--calls', '20', '--json']);
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({ calls: 20, ok: 0, errors: { NOT_FOUND: { count: 20, sample: 'failed on purpose' } } });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'counts input the procedure rejects as BAD_REQUEST',
    async () => {
      const run = await bench([urls.udp, 'echo.add', '{"a":"x","b":1}', '--calls', '10', '--json']);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ calls: 10, ok: 0, errors: { BAD_REQUEST: { count: 10 } } });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'spreads the workers over several connections and reads the input from stdin',
    async () => {
      const run = await bench([urls.tcp, 'echo.add', '-', '--calls', '100', '--concurrency', '8', '--connections', '4', '--json'], '{"a":2,"b":3}');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ connections: 4, calls: 100, ok: 100 });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'runs for --duration, then ends by itself having counted calls',
    async () => {
      const run = await bench([urls.udp, 'echo.add', '{"a":1,"b":2}', '--duration', '1', '--concurrency', '2', '--json']);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.calls).toBeGreaterThan(0);
      expect(report.ok).toBe(report.calls);
      expect(report.durationMs).toBeGreaterThanOrEqual(1000);
    },
    TEST_TIMEOUT_MS,
  );

  it.each([
    [['--concurrency', '0'], /--concurrency must be a positive integer/],
    [['--calls', '10', '--duration', '1'], /--duration or --calls, not both/],
    [['--duration', 'soon'], /--duration wants/],
    [['--bogus'], /Unknown flag '--bogus'/],
  ])(
    'exits 2 with one line and no stack for %j',
    async (flags, message) => {
      const run = await bench([urls.udp, 'echo.add', ...flags]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain('    at ');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'exits 2 when the procedure is missing',
    async () => {
      const run = await bench([urls.udp]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe("volley bench: Needs <url> and <procedure>. Run 'volley bench --help'.\n");
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'documents its flags and examples in --help',
    async () => {
      const run = await bench(['--help']);
      expect(run.code).toBe(0);
      for (const flag of ['--concurrency', '--duration', '--calls', '--connections', '--json', '--timeout', 'Examples:']) expect(run.stdout).toContain(flag);
    },
    TEST_TIMEOUT_MS,
  );
});
