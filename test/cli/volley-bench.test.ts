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
      const run = await bench([
        urls[transport],
        'echo.add',
        '{"a":1,"b":2}',
        '--calls',
        '300',
        '--concurrency',
        '8',
        '--json',
      ]);
      expect(run.code).toBe(0);
      // Not a TTY: one line of JSON, no progress on stderr.
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({
        target: urls[transport],
        procedure: 'echo.add',
        transport,
        mode: 'closed',
        concurrency: 8,
        connections: 1,
        rate: null,
        warmup: null,
        calls: 300,
        ok: 300,
        errors: {},
      });
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
      for (const label of ['p50', 'p99', 'p99\\.9'])
        expect(run.stdout).toMatch(new RegExp(`^ {2}${label}\\s+\\d+\\.\\d+$`, 'm'));
      expect(run.stdout).toContain('Latency histogram (ms):');
      // A bucket bound on the 1-2-5 series (0.5, 1, 20…), its count, and a bar.
      expect(run.stdout).toMatch(/^ {2}\s*\d+(\.\d+)?\s* \[\s*\d+\] \|█+$/m);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'counts every failed call by code and exits 1, still printing the report',
    async () => {
      const run = await bench([urls.tcp, 'echo.fail', '{"code":"NOT_FOUND"}', '--calls', '20', '--json']);
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({
        calls: 20,
        ok: 0,
        errors: { NOT_FOUND: { count: 20, sample: 'failed on purpose' } },
      });
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
      const run = await bench(
        [urls.tcp, 'echo.add', '-', '--calls', '100', '--concurrency', '8', '--connections', '4', '--json'],
        '{"a":2,"b":3}',
      );
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ connections: 4, calls: 100, ok: 100 });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'runs for --duration, then ends by itself having counted calls',
    async () => {
      const run = await bench([
        urls.udp,
        'echo.add',
        '{"a":1,"b":2}',
        '--duration',
        '1',
        '--concurrency',
        '2',
        '--json',
      ]);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.calls).toBeGreaterThan(0);
      expect(report.ok).toBe(report.calls);
      expect(report.durationMs).toBeGreaterThanOrEqual(1000);
    },
    TEST_TIMEOUT_MS,
  );

  it.each(['udp', 'tcp'] as const)(
    'runs an open loop with --rate 500 --calls 200 over %s: exactly 200 calls, all successful',
    async (transport) => {
      const run = await bench([
        urls[transport],
        'echo.add',
        '{"a":1,"b":2}',
        '--rate',
        '500',
        '--calls',
        '200',
        '--json',
      ]);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({ mode: 'open', concurrency: 256, calls: 200, ok: 200, errors: {}, warmup: null });
      expect(report.rate).toMatchObject({ target: 500, lateAfterMs: 2 });
      expect(report.rate.achieved).toBeGreaterThan(0);
      expect(report.rate.lateCalls).toBeGreaterThanOrEqual(0);
      expect(report.histogram.reduce((sum: number, bucket: { count: number }) => sum + bucket.count, 0)).toBe(200);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'makes the 200 calls due within --duration 1 at --rate 200',
    async () => {
      // Exact, not roughly 200: the open loop makes every call due within the duration (i / 200 s
      // < 1 s) however late its timer fires; only calls held back by the cap at the end are
      // dropped, and filling the 256-call cap at 200 calls/s would take a 1.28 s stall.
      const run = await bench([urls.udp, 'echo.add', '{"a":1,"b":2}', '--rate', '200', '--duration', '1', '--json']);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({ mode: 'open', rate: { target: 200 }, calls: 200, ok: 200 });
      expect(report.durationMs).toBeGreaterThanOrEqual(995);
    },
    TEST_TIMEOUT_MS,
  );

  it.each([
    ['closed loop', [] as string[]],
    ['open loop', ['--rate', '500']],
  ])(
    'warms up the %s for --warmup 200ms without counting it, then makes exactly --calls calls',
    async (_, modeFlags) => {
      const run = await bench([
        urls.tcp,
        'echo.add',
        '{"a":1,"b":2}',
        '--warmup',
        '200ms',
        '--calls',
        '50',
        ...modeFlags,
        '--json',
      ]);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.warmup.calls).toBeGreaterThan(0);
      // Until its last call ends: past 200 ms in the closed loop, past the last due time (198 ms at 500/s) in the open one.
      expect(report.warmup.durationMs).toBeGreaterThanOrEqual(198);
      expect(report).toMatchObject({ calls: 50, ok: 50 });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'prints the open loop, its rate, late starts and the warm-up in the text report',
    async () => {
      const run = await bench([
        urls.udp,
        'echo.add',
        '{"a":1,"b":2}',
        '--rate',
        '1000',
        '--calls',
        '100',
        '--warmup',
        '100ms',
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^ {2}Mode:\s+open loop, at most 256 calls in flight$/m);
      expect(run.stdout).toMatch(/^ {2}Warm-up:\s+\d+\.\d ms, \d+ calls \(not counted\)$/m);
      expect(run.stdout).toMatch(/^ {2}Rate:\s+1000 calls\/s target, \d+\.\d achieved$/m);
      expect(run.stdout).toMatch(/^ {2}Late starts:\s+\d+ \(more than 2 ms after their intended time\)$/m);
      expect(run.stdout).toMatch(/^ {2}Calls:\s+100$/m);
    },
    TEST_TIMEOUT_MS,
  );

  it.each([
    [['--concurrency', '0'], /--concurrency must be a positive integer/],
    [['--rate', '0'], /--rate must be a positive number of calls per second/],
    [['--rate', 'fast', '--warmup', '1s'], /--rate must be a positive number/],
    [['--rate', '100', '--warmup', '0'], /--warmup wants/],
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
      for (const flag of [
        '--concurrency',
        '--rate',
        '--duration',
        '--calls',
        '--warmup',
        '--connections',
        '--json',
        '--timeout',
        'Examples:',
      ])
        expect(run.stdout).toContain(flag);
    },
    TEST_TIMEOUT_MS,
  );
});
