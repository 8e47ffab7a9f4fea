import { describe, expect, it } from 'vitest';
import { parseEndpoint } from './endpoint.js';

describe('parseEndpoint', () => {
  it('reads udp, tcp, unix and memory URLs', () => {
    expect(parseEndpoint('udp://127.0.0.1:4000')).toMatchObject({ transport: 'udp', host: '127.0.0.1', port: 4000 });
    expect(parseEndpoint('tcp://localhost:80')).toMatchObject({ transport: 'tcp', host: 'localhost', port: 80 });
    expect(parseEndpoint('udp://[::1]:4000')).toMatchObject({ transport: 'udp', host: '::1', port: 4000 });
    expect(parseEndpoint('unix:///run/volley.sock')).toMatchObject({ transport: 'unix', path: '/run/volley.sock' });
    expect(parseEndpoint('memory://svc')).toMatchObject({ transport: 'memory', name: 'svc' });
  });

  it('rejects URLs without a port, a path, or a known scheme', () => {
    expect(() => parseEndpoint('udp://127.0.0.1')).toThrow(/host and a port/);
    expect(() => parseEndpoint('unix://')).toThrow(/socket path/);
    expect(() => parseEndpoint('http://x:1')).toThrow(/Unsupported scheme/);
    expect(() => parseEndpoint('not a url')).toThrow(/Invalid Volley URL/);
  });
});
