import type { Channel } from '@volley/transport';
import { describe, expect, it } from 'vitest';
import { replyCacheKey } from './reply-cache-key.js';

const udp = (address: string, port: number): Channel => ({
  kind: 'udp',
  peer: { transport: 'udp', address, port },
  mode: 'datagram',
  maxMessageBytes: 1200,
  send: () => true,
  sendBudget: Number.POSITIVE_INFINITY,
  validate: () => {},
});
const tcp: Channel = {
  kind: 'tcp',
  peer: { transport: 'tcp', address: '127.0.0.1', port: 1 },
  mode: 'stream',
  maxMessageBytes: 1200,
  send: () => true,
  close: () => {},
};
const from = udp('10.0.0.1', 4000);

describe('replyCacheKey', () => {
  it('is the 8-byte client id and the msgid, exactly, for every byte value and msgid width', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const seen = new Set<string>();
    for (let at = 0; at + 8 <= all.length; at++) {
      for (const id of [0, 1, 0xff, 0x100, 0xabcdef, 0x7fffffff, 0x80000000, 0xffffffff]) {
        const key = replyCacheKey(from, id, all.subarray(at, at + 8), undefined) as string;
        const bytes = Buffer.from(key, 'latin1');
        expect(bytes[0]).toBe(0);
        expect([...bytes.subarray(1, 9)]).toEqual([...all.subarray(at, at + 8)]);
        expect(bytes.readUInt32BE(9)).toBe(id);
        seen.add(key);
      }
    }
    expect(seen.size).toBe(249 * 8);
  });

  it('is the same for the same call over UDP and over a stream (a TCP fetch of a truncated reply)', () => {
    const clientId = Buffer.from('0123456789abcdef', 'hex');
    expect(replyCacheKey(tcp, 7, clientId, undefined)).toBe(replyCacheKey(from, 7, clientId, undefined));
    expect(replyCacheKey(tcp, 7, undefined, undefined)).toBeUndefined();
  });

  it('keeps client ids of other lengths and source addresses apart from each other and from 8-byte ids', () => {
    const address = replyCacheKey(udp('1.2.3.4', 56), 7, undefined, undefined);
    expect(address).toBe('1.2.3.4:56/7');
    // A client id spelling that address, or a 4-byte id spelling part of an 8-byte one, is another key.
    expect(replyCacheKey(from, 7, Buffer.from('1.2.3.4:56/7', 'latin1'), undefined)).not.toBe(address);
    const short = replyCacheKey(from, 0x35363738, Buffer.from('abcd', 'latin1'), undefined);
    const eight = replyCacheKey(from, 0x35363738, Buffer.from('abcd/123', 'latin1'), undefined);
    expect(short).not.toBe(eight);
    expect(short?.startsWith('\u0001abcd/')).toBe(true);
  });

  it('changes with the credentials, so a kept reply goes only to the same caller', () => {
    const clientId = Buffer.alloc(8, 1);
    const keys = [undefined, 'token-a', 'token-b'].map((auth) => replyCacheKey(from, 9, clientId, auth));
    expect(new Set(keys).size).toBe(3);
    expect(replyCacheKey(from, 9, clientId, 'token-a')).toBe(keys[1]);
  });
});
