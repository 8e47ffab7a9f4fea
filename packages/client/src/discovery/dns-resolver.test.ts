import { describe, expect, it } from 'vitest';
import { DnsResolver } from './dns-resolver.js';

describe('DnsResolver without servers of its own', () => {
  it('resolves localhost as the system does (getaddrinfo, /etc/hosts), trusted for refreshMs', async () => {
    const resolution = await new DnsResolver({ refreshMs: 7_000 }).resolveHost('localhost', 4000);
    expect(resolution.endpoints.map((endpoint) => endpoint.host)).toContain('127.0.0.1');
    expect(resolution.ttlMs).toBe(7_000);
  });

  it('passes an IP literal through without asking anyone', async () => {
    const resolution = await new DnsResolver({ servers: ['127.0.0.1:9'] }).resolveHost('::1', 4000);
    expect(resolution.endpoints).toEqual([{ host: '::1', port: 4000, priority: 0, weight: 1 }]);
  });
});
