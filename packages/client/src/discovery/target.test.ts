import { describe, expect, it } from 'vitest';
import { parseTarget, parseTargets } from './target.js';

describe('parseTarget', () => {
  it('tells an address from a DNS name and an SRV name', () => {
    expect(parseTarget('udp://127.0.0.1:4000')).toMatchObject({ kind: 'endpoint', endpoint: { host: '127.0.0.1' } });
    expect(parseTarget('tcp://[::1]:4000')).toMatchObject({ kind: 'endpoint', endpoint: { host: '::1' } });
    expect(parseTarget('unix:///run/kv.sock')).toMatchObject({ kind: 'endpoint' });
    expect(parseTarget('memory://kv')).toMatchObject({ kind: 'endpoint' });
    expect(parseTarget('udp://kv.internal:4000')).toEqual({
      kind: 'host',
      transport: 'udp',
      host: 'kv.internal',
      port: 4000,
      url: 'udp://kv.internal:4000',
    });
    expect(parseTarget('tls+srv://_kv._tcp.example.internal')).toEqual({
      kind: 'srv',
      transport: 'tls',
      name: '_kv._tcp.example.internal',
      url: 'tls+srv://_kv._tcp.example.internal',
    });
  });

  it('rejects an SRV URL with a port, and an empty list', () => {
    expect(() => parseTarget('udp+srv://_kv._udp.example.internal:4000')).toThrow(/takes no port/);
    expect(() => parseTarget('unix+srv://x')).toThrow(/Unsupported scheme/);
    expect(() => parseTargets([])).toThrow(/at least one URL/);
  });
});
