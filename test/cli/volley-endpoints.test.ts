/**
 * Every CLI command takes several endpoints: a comma-separated list, and DNS names resolved by a
 * given DNS server (`--dns-server`, a real dnsmasq on loopback) to every address they have.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dnsmasq, dnsmasqSkipReason, startDnsmasq } from '../support/dnsmasq.js';
import { type CliServer, closedPort, startCliServer } from './cli-fixture.js';
import { runVolley } from './run-volley.js';

let server: CliServer;
let other: CliServer;

beforeAll(async () => {
  server = await startCliServer();
  other = await startCliServer();
});

afterAll(async () => {
  await server.close();
  await other.close();
});

describe('volley with several endpoints', () => {
  it('calls a comma-separated list, over UDP and (with --tcp) over TCP', async () => {
    const udp = await runVolley(['call', `${server.udp},${other.udp}`, 'echo.add', '{"a":1,"b":2}']);
    expect(udp).toMatchObject({ code: 0, stdout: '{"sum":3}\n', stderr: '' });
    const tcp = await runVolley(['call', `127.0.0.1:${server.port}, 127.0.0.1:${other.port}`, 'echo.ping', '--tcp']);
    expect(tcp).toMatchObject({ code: 0 });
  });

  it('still answers when one endpoint of the list is down', async () => {
    const run = await runVolley(['call', `udp://127.0.0.1:${await closedPort()},${server.udp}`, 'echo.ping']);
    expect(run).toMatchObject({ code: 0 });
  });

  it('rejects an empty part and a mix of tls and other transports, in one line', async () => {
    const empty = await runVolley(['call', `${server.udp},`, 'echo.ping']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty part/);
    const mixed = await runVolley(['call', `${server.udp},tls://127.0.0.1:1`, 'echo.ping']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/Mixing tls/);
  });
});

const skipReason = process.env.CI ? undefined : dnsmasqSkipReason();
let dns: Dnsmasq | undefined;
afterAll(async () => dns?.close());

describe.skipIf(skipReason !== undefined)(
  `volley against a DNS name${skipReason ? ` (SKIPPED: ${skipReason})` : ''}`,
  () => {
    it('resolves a name with --dns-server, and reads SRV records', async () => {
      dns = await startDnsmasq({
        hosts: { 'kv.test.internal': ['127.0.0.1'] },
        srv: { '_kv._udp.test.internal': [['kv.test.internal', server.port, 10, 100]] },
      });
      const byName = await runVolley([
        'call',
        `udp://kv.test.internal:${server.port}`,
        'echo.add',
        '{"a":2,"b":3}',
        '--dns-server',
        dns.server,
      ]);
      expect(byName).toMatchObject({ code: 0, stdout: '{"sum":5}\n' });
      const bySrv = await runVolley(['describe', 'udp+srv://_kv._udp.test.internal', '--dns-server', dns.server]);
      expect(bySrv.code).toBe(0);
      expect(bySrv.stdout).toContain('echo.add');
    });

    it('says in one line when a name does not resolve', async () => {
      dns ??= await startDnsmasq({ hosts: { 'kv.test.internal': ['127.0.0.1'] } });
      const run = await runVolley([
        'call',
        'udp://nowhere.test.internal:4000',
        'echo.ping',
        '--dns-server',
        dns.server,
      ]);
      expect(run.code).not.toBe(0);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/nowhere\.test\.internal/);
    });
  },
);
