/**
 * A real DNS server for discovery tests: Debian's dnsmasq, on 127.0.0.1 and a free port, serving
 * only the records a test gives it (no upstream, no /etc/hosts), never reaching beyond loopback.
 * Records change by restarting it on the same port with new ones, as a Consul or CoreDNS answer
 * changes between queries. `.ci/run` installs `dnsmasq-base`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian installs it in /usr/sbin, which is not on every user's PATH. */
const DNSMASQ = existsSync('/usr/sbin/dnsmasq') ? '/usr/sbin/dnsmasq' : 'dnsmasq';

/** Records dnsmasq serves: addresses per name, SRV records per service name, and their TTL. */
export interface DnsRecords {
  /** `name → addresses` (A or AAAA by the address's family). */
  readonly hosts?: Readonly<Record<string, readonly string[]>>;
  /** `service name → [target, port, priority, weight]` records. */
  readonly srv?: Readonly<
    Record<string, ReadonlyArray<readonly [target: string, port: number, priority: number, weight: number]>>
  >;
  /** TTL of every answer, seconds (default 1). */
  readonly ttlSeconds?: number;
}

/** A running dnsmasq. */
export interface Dnsmasq {
  /** `127.0.0.1:<port>`, for `DnsResolver({ servers: [...] })`. */
  readonly server: string;
  /** Serves `records` from now on (restarts on the same port and waits until it answers). */
  replace(records: DnsRecords): Promise<void>;
  close(): Promise<void>;
}

/** Why dnsmasq cannot run here, or undefined when it can. */
export function dnsmasqSkipReason(): string | undefined {
  try {
    execFileSync(DNSMASQ, ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'dnsmasq is not installed (Debian: dnsmasq-base)';
  }
}

export async function startDnsmasq(records: DnsRecords): Promise<Dnsmasq> {
  const dir = mkdtempSync(join(tmpdir(), 'volley-dnsmasq-'));
  let port = 0;
  let server = '';
  let child: ChildProcess | undefined;

  const start = async (next: DnsRecords): Promise<void> => {
    const conf = join(dir, 'dnsmasq.conf');
    writeFileSync(conf, configOf(next));
    child = spawn(
      DNSMASQ,
      [
        '--keep-in-foreground',
        `--port=${port}`,
        '--listen-address=127.0.0.1',
        '--bind-interfaces',
        '--no-resolv',
        '--no-hosts',
        `--conf-file=${conf}`,
        '--pid-file=',
        '--user=root',
        '--log-facility=-',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const running = child;
    let stderr = '';
    // dnsmasq logs "started" once its sockets are bound; an exit first means it could not start.
    await new Promise<void>((resolve, reject) => {
      running.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('started, version')) resolve();
      });
      running.once('exit', (code) => reject(new Error(`dnsmasq exited (${code}) before serving: ${stderr.trim()}`)));
      running.once('error', reject);
    });
    await confirmAnswering(server, stderr);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };

  // dnsmasq binds UDP and TCP on its port; a port free a moment ago may be taken by a parallel
  // test's server by the time it binds (seen on CI): try another port.
  for (let attempt = 1; ; attempt++) {
    port = await freeUdpPort();
    server = `127.0.0.1:${port}`;
    try {
      await start(records);
      break;
    } catch (error) {
      if (attempt >= 5 || !String((error as Error).message).includes('Address already in use')) throw error;
    }
  }
  return {
    server,
    async replace(next) {
      await stop();
      await start(next);
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function configOf(records: DnsRecords): string {
  // `local=/test/…`: dnsmasq answers for these domains itself (NXDOMAIN, or NODATA for a type a
  // name lacks) instead of refusing, as it does for names it would otherwise forward upstream.
  const lines = [`local-ttl=${records.ttlSeconds ?? 1}`, 'local=/internal/', 'local=/test/'];
  // One host-record per address: a line holds at most one IPv4 and one IPv6 address.
  for (const [name, addresses] of Object.entries(records.hosts ?? {})) {
    for (const address of addresses) lines.push(`host-record=${name},${address}`);
  }
  for (const [name, targets] of Object.entries(records.srv ?? {})) {
    for (const [target, port, priority, weight] of targets)
      lines.push(`srv-host=${name},${target},${port},${priority},${weight}`);
  }
  // Something to ask for, so a start can be confirmed even with no records.
  lines.push('host-record=ready.dnsmasq.test,127.0.0.1');
  return `${lines.join('\n')}\n`;
}

/** One query that must succeed: the records loaded and the server answers on its port. */
async function confirmAnswering(server: string, output: string): Promise<void> {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers([server]);
  try {
    await resolver.resolve4('ready.dnsmasq.test');
  } catch (error) {
    throw new Error(`dnsmasq on ${server} does not answer (${(error as Error).message}): ${output.trim()}`);
  }
}

/** A UDP port free on 127.0.0.1 a moment ago (bind, read, close). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
