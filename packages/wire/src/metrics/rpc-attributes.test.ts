import { describe, expect, it } from 'vitest';
import { toHrTime } from './metric-data.js';
import { rpcAttributes } from './rpc-attributes.js';

describe('rpcAttributes', () => {
  it('splits a dotted procedure at its last dot into rpc.service and rpc.method', () => {
    expect(rpcAttributes('kv.get', 'udp')).toEqual({
      'rpc.system': 'volley',
      'rpc.service': 'kv',
      'rpc.method': 'get',
      'network.transport': 'udp',
    });
    expect(rpcAttributes('a.b.c', 'tcp')).toMatchObject({ 'rpc.service': 'a.b', 'rpc.method': 'c' });
  });

  it('gives a top-level procedure a method and no service', () => {
    expect(rpcAttributes('add', 'tcp')).toEqual({
      'rpc.system': 'volley',
      'rpc.method': 'add',
      'network.transport': 'tcp',
    });
  });

  it('names TLS as TCP with tls.protocol.name, as the tracing does', () => {
    expect(rpcAttributes('add', 'tls')).toMatchObject({ 'network.transport': 'tcp', 'tls.protocol.name': 'tls' });
  });

  it('keeps a name whose dot leads or trails whole, as the method', () => {
    expect(rpcAttributes('.x', 'tcp')).not.toHaveProperty('rpc.service');
    expect(rpcAttributes('x.', 'tcp')).toMatchObject({ 'rpc.method': 'x.' });
  });
});

describe('toHrTime', () => {
  it('splits epoch milliseconds into seconds and nanoseconds', () => {
    expect(toHrTime(1_700_000_000_123.5)).toEqual([1_700_000_000, 123_500_000]);
  });

  it('never makes a nanosecond part of a whole second', () => {
    expect(toHrTime(1_999.999_999_9)[1]).toBeLessThan(1e9);
  });
});
