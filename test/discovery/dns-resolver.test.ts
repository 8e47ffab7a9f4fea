/**
 * DNS discovery against a real DNS server (dnsmasq on loopback): A and AAAA records with their
 * TTL, SRV records with priority, weight and resolved targets, records that change, and names
 * that do not resolve. Skips, saying why, where dnsmasq is not installed; never on CI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DnsResolver } from '../../packages/client/src/discovery/dns-resolver.js';
import { type Dnsmasq, dnsmasqSkipReason, startDnsmasq } from '../support/dnsmasq.js';

const skipReason = process.env.CI ? undefined : dnsmasqSkipReason();
let dns: Dnsmasq | undefined;

afterEach(async () => {
  await dns?.close();
  dns = undefined;
});

/** Code-point order, so '127.…' sorts before '::1' whatever the locale. */
const byHost = (a: { host: string }, b: { host: string }) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0);

describe.skipIf(skipReason !== undefined)(
  `DnsResolver against dnsmasq${skipReason ? ` (SKIPPED: ${skipReason})` : ''}`,
  () => {
    it('resolves every A and AAAA address of a name, with its port and the records’ TTL', async () => {
      dns = await startDnsmasq({ hosts: { 'kv.test.internal': ['127.0.0.11', '127.0.0.12', '::1'] }, ttlSeconds: 7 });
      const resolution = await new DnsResolver({ servers: [dns.server] }).resolveHost('kv.test.internal', 4000);
      expect(resolution.endpoints.sort(byHost)).toEqual([
        { host: '127.0.0.11', port: 4000, priority: 0, weight: 1 },
        { host: '127.0.0.12', port: 4000, priority: 0, weight: 1 },
        { host: '::1', port: 4000, priority: 0, weight: 1 },
      ]);
      expect(resolution.ttlMs).toBe(7_000);
    });

    it('lists SRV instances with their ports, priorities and weights, each target resolved', async () => {
      dns = await startDnsmasq({
        hosts: { 'kv1.test.internal': ['127.0.0.11'], 'kv2.test.internal': ['127.0.0.12'] },
        srv: {
          '_kv._udp.test.internal': [
            ['kv1.test.internal', 4001, 10, 60],
            ['kv2.test.internal', 4002, 20, 40],
          ],
        },
        ttlSeconds: 5,
      });
      const resolution = await new DnsResolver({ servers: [dns.server], refreshMs: 30_000 }).resolveSrv(
        '_kv._udp.test.internal',
      );
      expect(resolution.endpoints.sort(byHost)).toEqual([
        { host: '127.0.0.11', port: 4001, priority: 10, weight: 60, target: 'kv1.test.internal' },
        { host: '127.0.0.12', port: 4002, priority: 20, weight: 40, target: 'kv2.test.internal' },
      ]);
      // SRV TTLs are not visible from Node: the targets' address TTL bounds it.
      expect(resolution.ttlMs).toBe(5_000);
    });

    it('sees an instance added and one removed when the records change', async () => {
      dns = await startDnsmasq({ hosts: { 'kv.test.internal': ['127.0.0.11', '127.0.0.12'] } });
      const resolver = new DnsResolver({ servers: [dns.server] });
      expect((await resolver.resolveHost('kv.test.internal', 4000)).endpoints.map((e) => e.host).sort()).toEqual([
        '127.0.0.11',
        '127.0.0.12',
      ]);
      await dns.replace({ hosts: { 'kv.test.internal': ['127.0.0.12', '127.0.0.13'] } });
      expect((await resolver.resolveHost('kv.test.internal', 4000)).endpoints.map((e) => e.host).sort()).toEqual([
        '127.0.0.12',
        '127.0.0.13',
      ]);
    });

    it('keeps an SRV answer whose targets partly fail to resolve, and fails one with none', async () => {
      dns = await startDnsmasq({
        hosts: { 'kv1.test.internal': ['127.0.0.11'] },
        srv: {
          '_kv._udp.test.internal': [
            ['kv1.test.internal', 4001, 10, 50],
            ['gone.test.internal', 4002, 10, 50],
          ],
          '_none._udp.test.internal': [['gone.test.internal', 1, 1, 1]],
        },
      });
      const resolver = new DnsResolver({ servers: [dns.server] });
      expect((await resolver.resolveSrv('_kv._udp.test.internal')).endpoints).toEqual([
        { host: '127.0.0.11', port: 4001, priority: 10, weight: 50, target: 'kv1.test.internal' },
      ]);
      await expect(resolver.resolveSrv('_none._udp.test.internal')).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        notExecuted: true,
        message: expect.stringContaining('no target'),
      });
    });

    it('fails a name without records as UNAVAILABLE, not executed, naming it', async () => {
      dns = await startDnsmasq({});
      const resolver = new DnsResolver({ servers: [dns.server] });
      await expect(resolver.resolveHost('missing.test.internal', 1)).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        notExecuted: true,
        message: 'DNS: missing.test.internal has no A or AAAA records',
      });
      await expect(resolver.resolveSrv('_missing._udp.test.internal')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    });

    it('bounds the TTL it reports, and resolves an IP literal to itself', async () => {
      dns = await startDnsmasq({ hosts: { 'kv.test.internal': ['127.0.0.11'] }, ttlSeconds: 0 });
      const resolver = new DnsResolver({ servers: [dns.server], minTtlMs: 1_000, maxTtlMs: 60_000 });
      expect((await resolver.resolveHost('kv.test.internal', 1)).ttlMs).toBe(1_000);
      expect(await resolver.resolveHost('127.0.0.1', 4000)).toEqual({
        endpoints: [{ host: '127.0.0.1', port: 4000, priority: 0, weight: 1 }],
        ttlMs: 60_000,
      });
    });
  },
);
