import { describe, expect, it } from 'vitest';
import { createCodec } from './codec.js';
import { readRequestHead } from './request-head.js';

const codec = createCodec();

describe('readRequestHead', () => {
  it.each([0, 127, 128, 255, 256, 65_535, 65_536, 0xffff_ffff])(
    'reads msgid %i, the method and where params start, as the codec writes them',
    (id) => {
      const bytes = codec.encode({ kind: 0, id, method: 'kv.get', input: { key: 'a' } });

      const head = readRequestHead(bytes, true);

      expect(head).toMatchObject({ id, method: 'kv.get' });
      expect(bytes[head?.paramsAt ?? -1]).toBe(0x91);
    },
  );

  it('reads a method that is not ASCII, and one longer than the JavaScript-decoded ones', () => {
    for (const method of ['café.prix', `a.${'b'.repeat(100)}`]) {
      expect(readRequestHead(codec.encode({ kind: 0, id: 1, method, input: undefined }), true)?.method).toBe(method);
    }
  });

  it('reads the 64-bit forms of a uint32 msgid and refuses larger or negative ones', () => {
    const head = (idBytes: number[]) => readRequestHead(Buffer.from([0x94, 0x00, ...idBytes, 0xa1, 0x78, 0x90]), true);

    expect(head([0xcf, 0, 0, 0, 0, 0, 0, 0, 7])?.id).toBe(7);
    expect(head([0xcf, 0, 0, 0, 1, 0, 0, 0, 7])).toBeUndefined();
    expect(head([0xd0, 0xff])).toBeUndefined();
  });

  it('gives up on anything but a request: another kind, a method that is not a str, a cut message', () => {
    expect(readRequestHead(codec.encode({ kind: 4, id: 1 }), true)).toBeUndefined();
    expect(readRequestHead(codec.encodeValue([0, 1, 5, []]), true)).toBeUndefined();
    expect(readRequestHead(Buffer.from([0x94, 0x00, 0x01, 0xa4, 0x61]), true)).toBeUndefined();
  });

  it('reads only the msgid when the method is not wanted', () => {
    expect(readRequestHead(Buffer.from([0x94, 0x00, 0xcd, 0x01, 0x00]), false)).toEqual({
      id: 256,
      method: undefined,
      paramsAt: -1,
    });
  });
});
