/**
 * Two network namespaces joined by a veth pair, with packet loss and duplication from nftables,
 * for fault tests with real sockets. `tc netem` is not in the CI kernels; nftables is
 * (`numgen random` for drop, the `dup` statement for duplication).
 *
 *   volley-<pid>-<n>-srv                      volley-<pid>-<n>-cli
 *   ┌──────────────────────┐  veth pair  ┌──────────────────────┐
 *   │ vsrv 10.231.<n>.1/24 ├─────────────┤ vcli 10.231.<n>.2/24 │
 *   └──────────────────────┘             └──────────────────────┘
 *   loss rules on output:                 loss rules on output:
 *   replies to the client                 requests to the server
 *
 * The veths are created inside the namespaces, so nothing touches the host's interfaces and the
 * only addresses any rule or packet targets are these two. Needs root, `ip` and `nft`.
 */
import { execFileSync } from 'node:child_process';
import { run } from './netns-exec.js';

/** Loss applied to packets leaving each namespace through its veth, so each direction sees it once. */
export interface LossOptions {
  /** Share of packets dropped, 0–100 (a whole number: nftables draws from `numgen random mod 100`). */
  dropPercent: number;
  /** Share of packets sent twice, 0–100. The copy is itself subject to the drop. */
  dupPercent?: number;
  /** Also disturb TCP (default: UDP only, so a TCP fallback path stays clean). */
  includeTcp?: boolean;
}

/** A server namespace and a client namespace on one link. */
export interface NetnsPair {
  readonly serverNs: string;
  readonly clientNs: string;
  /** IPv4 address of the server side of the link. */
  readonly serverAddress: string;
  /** IPv4 address of the client side of the link. */
  readonly clientAddress: string;
  /** Replaces any loss rules in both namespaces, atomically per namespace. */
  setLoss(loss: LossOptions): Promise<void>;
  /** Removes the loss rules: a clean link again. */
  clear(): Promise<void>;
  /** Deletes both namespaces (and with them the veths and rules). Safe to call twice. */
  destroy(): Promise<void>;
}

/** Whether this machine can run namespace tests, and if not, why. */
export type NetnsProbe = { ok: true } | { ok: false; reason: string };

/** Our namespaces: `volley-<pid>-<n>-srv|cli`, so stale ones can be traced to their dead owner. */
const NAME_PATTERN = /^volley-(\d+)-(\w+)-(srv|cli)$/;
const SERVER_VETH = 'vsrv';
const CLIENT_VETH = 'vcli';
/** Private test range (RFC 1918); each pair is its own link, so reuse across processes is harmless. */
const SUBNET_PREFIX = '10.231';
const TABLE = 'volley';

let pairCounter = 0;
const live = new Set<string>();
let probe: Promise<NetnsProbe> | undefined;

/**
 * Tries, once per process, exactly what the tests need: create a namespace and load a table with
 * `numgen`, `drop` and `dup` rules inside it. Removes stale namespaces of dead test processes first.
 */
export function canUseNetns(): Promise<NetnsProbe> {
  probe ??= (async (): Promise<NetnsProbe> => {
    if (process.platform !== 'linux')
      return { ok: false, reason: `network namespaces need Linux, this is ${process.platform}` };
    const ns = `volley-${process.pid}-probe-srv`;
    try {
      await removeStaleNamespaces();
      await run('ip', ['netns', 'add', ns]);
      live.add(ns);
      await run(
        'ip',
        ['netns', 'exec', ns, 'nft', '-f', '-'],
        lossRuleset('lo', '127.0.0.1', { dropPercent: 1, dupPercent: 1 }),
      );
      return { ok: true };
    } catch (error) {
      return {
        ok: false,
        reason: `cannot create a network namespace with nftables loss rules (needs root, iproute2, nftables): ${(error as Error).message}`,
      };
    } finally {
      await deleteNamespace(ns).catch(() => {});
    }
  })();
  return probe;
}

/**
 * Why namespace tests must skip on this machine, or undefined to run them. Says so on stderr.
 * On CI (`process.env.CI` set) it never skips: the tests run and fail with the real error,
 * because a green CI that silently skipped the fault tests proves nothing.
 */
export async function netnsSkipReason(): Promise<string | undefined> {
  const result = await canUseNetns();
  if (result.ok) return undefined;
  if (process.env.CI) {
    console.error(`[netns] CI is set, so namespace tests run and will fail: ${result.reason}`);
    return undefined;
  }
  console.warn(`[netns] SKIPPING network-namespace fault tests: ${result.reason}`);
  return result.reason;
}

/** Creates a fresh namespace pair with a lossless link; `destroy()` it in `afterAll`. */
export async function createNetnsPair(): Promise<NetnsPair> {
  await removeStaleNamespaces();
  const n = (++pairCounter % 254) + 1;
  const base = `volley-${process.pid}-${pairCounter}`;
  const serverNs = `${base}-srv`;
  const clientNs = `${base}-cli`;
  const serverAddress = `${SUBNET_PREFIX}.${n}.1`;
  const clientAddress = `${SUBNET_PREFIX}.${n}.2`;
  const destroy = async () => {
    await Promise.all([deleteNamespace(serverNs), deleteNamespace(clientNs)]);
  };
  try {
    for (const ns of [serverNs, clientNs]) {
      await run('ip', ['netns', 'add', ns]);
      live.add(ns);
    }
    await run('ip', [
      'link',
      'add',
      'name',
      SERVER_VETH,
      'netns',
      serverNs,
      'type',
      'veth',
      'peer',
      'name',
      CLIENT_VETH,
      'netns',
      clientNs,
    ]);
    await run('ip', ['-n', serverNs, 'addr', 'add', `${serverAddress}/24`, 'dev', SERVER_VETH]);
    await run('ip', ['-n', clientNs, 'addr', 'add', `${clientAddress}/24`, 'dev', CLIENT_VETH]);
    for (const [ns, veth] of [
      [serverNs, SERVER_VETH],
      [clientNs, CLIENT_VETH],
    ] as const) {
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await run('ip', ['-n', ns, 'link', 'set', veth, 'up']);
    }
  } catch (error) {
    await destroy().catch(() => {});
    throw error;
  }
  const sides = [
    { ns: serverNs, veth: SERVER_VETH, peer: clientAddress },
    { ns: clientNs, veth: CLIENT_VETH, peer: serverAddress },
  ];
  return {
    serverNs,
    clientNs,
    serverAddress,
    clientAddress,
    async setLoss(loss) {
      for (const side of sides)
        await run('ip', ['netns', 'exec', side.ns, 'nft', '-f', '-'], lossRuleset(side.veth, side.peer, loss));
    },
    async clear() {
      for (const side of sides)
        await run(
          'ip',
          ['netns', 'exec', side.ns, 'nft', '-f', '-'],
          `table ip ${TABLE} {}\ndelete table ip ${TABLE}\n`,
        );
    },
    destroy,
  };
}

/**
 * One nftables script that replaces the table in a single transaction. The `dup` statement
 * exists only in the `ip`/`ip6` families (not `inet`), hence `table ip`. Rules match the veth
 * only, so loopback inside the namespace stays clean; the duplicate goes to the peer on that
 * link and passes the drop rule again, while the kernel's recursion guard stops it being re-duplicated.
 */
function lossRuleset(veth: string, peer: string, loss: LossOptions): string {
  const drop = checkPercent('dropPercent', loss.dropPercent);
  const dup = checkPercent('dupPercent', loss.dupPercent ?? 0);
  const match = `oifname "${veth}" meta l4proto ${loss.includeTcp ? '{ udp, tcp }' : 'udp'}`;
  const rules = [
    drop > 0 ? `${match} numgen random mod 100 < ${drop} drop` : '',
    dup > 0 ? `${match} numgen random mod 100 < ${dup} dup to ${peer} device "${veth}"` : '',
  ];
  return [
    `table ip ${TABLE} {}`,
    `flush table ip ${TABLE}`,
    `table ip ${TABLE} {`,
    '  chain out {',
    '    type filter hook output priority 0; policy accept;',
    ...rules.filter(Boolean).map((rule) => `    ${rule}`),
    '  }',
    '}',
    '',
  ].join('\n');
}

function checkPercent(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 100)
    throw new RangeError(`${name} must be a whole number from 0 to 100, got ${value}`);
  return value;
}

async function deleteNamespace(ns: string): Promise<void> {
  if (!live.has(ns)) return;
  live.delete(ns);
  await run('ip', ['netns', 'delete', ns]);
}

/** Deletes `volley-<pid>-…` namespaces whose process is gone (a run killed before `afterAll`). */
async function removeStaleNamespaces(): Promise<void> {
  const listing = await run('ip', ['netns', 'list']);
  for (const line of listing.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const owner = NAME_PATTERN.exec(name)?.[1];
    if (owner === undefined || isAlive(Number(owner))) continue;
    await run('ip', ['netns', 'delete', name]).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Last resort when a test file dies between create and afterAll: `exit` handlers must be synchronous.
process.once('exit', () => {
  for (const ns of live) {
    try {
      execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
    } catch {
      // Already gone, or we never had the rights; the next run's stale sweep retries.
    }
  }
});
