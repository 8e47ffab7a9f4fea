/** `volley stats` end to end: the real CLI polling `$stats` of a real server that is taking calls. */
import { createClient } from '@volley/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from 'volley';
import { runCli } from 'volley';
import { dnsmasqSkipReason, startDnsmasq } from '../support/dnsmasq.js';
import { waitFor } from '../support/index.js';
import { type CliServer, startCliServer } from './cli-fixture.js';
import { runVolley, startVolley } from './run-volley.js';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const resource of open.splice(0).reverse()) await resource.close();
});

async function serve(options: Parameters<typeof startCliServer>[0] = {}): Promise<CliServer> {
  const server = await startCliServer(options);
  open.push(server);
  return server;
}

/** Keeps `workers` calls to echo.add going (and one NOT_FOUND in ten) until the test ends. */
function keepCalling(url: string, workers = 4): void {
  const client = createClient(url, { timeoutMs: 2000 });
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    for (let i = 0; running; i++) {
      await (i % 10 === 9 ? client.call('echo.nope').catch(() => {}) : client.call('echo.add', { a: i, b: 1 }));
    }
  });
  open.push({
    close: async () => {
      running = false;
      await Promise.all(loops);
      await client.close();
    },
  });
}

/** Every statistics line `volley stats --json` printed. */
function linesOf(stdout: string): Array<Record<string, any>> {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('volley stats', () => {
  it.each(['udp', 'tcp'] as const)(
    'prints one JSON line per interval with calls/s, error rate and latency quantiles per procedure (%s)',
    async (transport) => {
      const server = await serve();
      keepCalling(server[transport]);
      const run = await runVolley(['stats', server[transport], '--json', '--count', '2', '--interval', '300']);

      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const lines = linesOf(run.stdout);
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).toMatchObject({ target: server[transport], status: 'serving', restarted: false });
        expect(line.incarnation).toBe(server.server.incarnation);
        expect(line.intervalMs).toBeGreaterThan(100);
        const add = line.procedures.find((row: { procedure: string }) => row.procedure === 'echo.add');
        expect(add.transports).toEqual([transport]);
        expect(add.callsPerSecond).toBeGreaterThan(0);
        expect(add.errorRate).toBe(0);
        expect(add.p50Ms).toBeGreaterThan(0);
        expect(add.p99Ms).toBeGreaterThanOrEqual(add.p50Ms);
        // Names the server lacks are counted, under _OTHER.
        const other = line.procedures.find((row: { procedure: string }) => row.procedure === '_OTHER');
        expect(other).toMatchObject({ errorRate: 1, errorsByCode: { NOT_FOUND: other.calls } });
        // Busiest first.
        expect(line.procedures[0].procedure).toBe('echo.add');
        expect(line.total.calls).toBeGreaterThanOrEqual(add.calls);
      }
    },
  );

  it('prints JSON lines into a pipe without --json too', async () => {
    const server = await serve();
    const run = await runVolley(['stats', server.udp, '--count', '1', '--interval', '200']);
    expect(run.code).toBe(0);
    const [line] = linesOf(run.stdout);
    // The CLI's own first poll is the only call in the interval: it sees itself.
    expect(line?.procedures.map((row: { procedure: string }) => row.procedure)).toEqual(['$stats']);
  });

  it('exits 11 with one line saying why when the server does not answer $stats', async () => {
    const server = await serve({ stats: false });
    const run = await runVolley(['stats', server.tcp, '--count', '1']);
    expect(run.code).toBe(11);
    expect(run.stderr).toMatch(
      /^NOT_FOUND: tcp:\/\/127\.0\.0\.1:\d+ does not answer \$stats: turned off \(stats: false/,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [['--interval', '0'], /--interval must be a positive integer/],
    [['--count', 'many'], /--count must be a positive integer/],
  ])('refuses %j with a usage error', async (flags, message) => {
    const run = await runVolley(['stats', 'udp://127.0.0.1:9', ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('refuses a list of servers, naming them: each counts its own calls', async () => {
    const run = await runVolley(['stats', 'udp://127.0.0.1:9,udp://127.0.0.1:10']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^volley stats: watches one server, and a list names 2: give one of udp:\/\/127\.0\.0\.1:9, udp:\/\/127\.0\.0\.1:10/,
    );
  });

  it('stops on Ctrl-C with exit 130 and no stack', async () => {
    const server = await serve();
    const watching = startVolley(['stats', server.udp, '--interval', '100']);
    const polls = () =>
      server.server.callStats?.snapshot().series.find((one) => one.procedure === '$stats')?.calls.OK ?? 0;
    await waitFor(() => polls() >= 2, { what: 'two polls', timeoutMs: 10_000 });
    watching.signalGroup('SIGINT');
    const run = await watching.done;
    expect(run.code).toBe(130);
    expect(run.stderr).toBe('');
    expect(linesOf(run.stdout).length).toBeGreaterThanOrEqual(1);
  });
});

describe('volley stats on a terminal', () => {
  it('redraws the table in place, the cursor hidden until it ends', async () => {
    const server = await serve();
    keepCalling(server.udp, 1);
    const written: string[] = [];
    const io: CliIo = {
      out: (text) => written.push(text),
      err: (text) => written.push(`stderr: ${text}`),
      status: () => {},
      stdoutIsTTY: true,
      stderrIsTTY: true,
      stdoutRows: 24,
      readStdin: async () => '',
    };
    const code = await runCli(['stats', server.udp, '--count', '2', '--interval', '200'], io);

    expect(code).toBe(0);
    // ESC shown as ⎋, so the control sequences read (and match) as text.
    const frames = written.map((text) => text.replaceAll('\x1b', '⎋'));
    expect(frames).toHaveLength(4);
    const [waiting, first, second, end] = frames;
    // The first frame hides the cursor and clears the screen; later ones go home and overwrite.
    expect(waiting).toMatch(/^⎋\[\?25l⎋\[H⎋\[2Judp:\/\/127\.0\.0\.1:\d+ · first figures in 0\.2 s⎋\[K⎋\[J$/);
    for (const frame of [first, second]) {
      expect(frame?.startsWith('⎋[H')).toBe(true);
      expect(frame).toMatch(
        /· serving · up \S+( \S+)? · last 0\.\d s⎋\[K\n⎋\[K\nPROCEDURE +CALLS\/S +ERRORS +P50 +P99 +IN FLIGHT⎋\[K\n/,
      );
      expect(frame).toMatch(/\necho\.add +\d+\.\d +0\.0% +\S+ +\S+ +\d+⎋\[K\n/);
      expect(frame?.endsWith('⎋[J')).toBe(true);
    }
    expect(end).toBe('⎋[?25h');
  });
});

const skipReason = process.env.CI ? undefined : dnsmasqSkipReason();

describe.skipIf(skipReason !== undefined)(
  `volley stats on a DNS name${skipReason ? ` (SKIPPED: ${skipReason})` : ''}`,
  () => {
    it('refuses an SRV name that reaches two servers, in one line naming both and how to pick one', async () => {
      const [first, second] = [await serve(), await serve()];
      const dns = await startDnsmasq({
        hosts: { 'kv.test.internal': ['127.0.0.1'] },
        srv: {
          '_kv._udp.test.internal': [
            ['kv.test.internal', first.port, 10, 1],
            ['kv.test.internal', second.port, 10, 1],
          ],
        },
      });
      open.push(dns);
      const run = await runVolley(['stats', 'udp+srv://_kv._udp.test.internal', '--dns-server', dns.server]);

      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(
        'volley stats: watches one server, and udp+srv://_kv._udp.test.internal reaches 2: ',
      );
      expect(run.stderr).toContain(first.udp);
      expect(run.stderr).toContain(second.udp);
      expect(run.stderr).toMatch(/pick one, as in: volley stats udp:\/\/127\.0\.0\.1:\d+/);
    });

    it("watches a name that reaches one server at that server's address, saying so when the name lists others that do not answer", async () => {
      const server = await serve();
      // 127.0.0.2 is loopback too, with nothing on the port: its probe fails at once.
      const dns = await startDnsmasq({
        hosts: { 'kv.test.internal': ['127.0.0.1', '127.0.0.2'], 'one.test.internal': ['127.0.0.1'] },
      });
      open.push(dns);
      const dead = `udp://127.0.0.2:${server.port}`;

      const two = await runVolley([
        'stats',
        `kv.test.internal:${server.port}`,
        '--dns-server',
        dns.server,
        '--json',
        '--count',
        '1',
        '--interval',
        '100',
      ]);
      expect(two.code).toBe(0);
      expect(two.stderr.trim().split('\n')).toHaveLength(1);
      // Both addresses named (in the order DNS gave them), and the one watched.
      expect(two.stderr).toContain(`volley stats: kv.test.internal:${server.port} lists `);
      expect(two.stderr).toContain(server.udp);
      expect(two.stderr).toContain(dead);
      expect(two.stderr).toContain(`; watching ${server.udp}, the one that answers`);
      expect(linesOf(two.stdout)).toEqual([
        expect.objectContaining({ target: server.udp, restarted: false, incarnation: server.server.incarnation }),
      ]);

      const one = await runVolley([
        'stats',
        `udp://one.test.internal:${server.port}`,
        '--dns-server',
        dns.server,
        '--json',
        '--count',
        '1',
        '--interval',
        '100',
      ]);
      expect(one).toMatchObject({ code: 0, stderr: '' });
      expect(linesOf(one.stdout)).toEqual([expect.objectContaining({ target: server.udp, restarted: false })]);
    });
  },
);
