import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { createCodec } from './codec.js';
import { type DecodeLimits, StructureScanner } from './structure-scan.js';

const SEED = 13;
const codec = createCodec({ decodeLimits: false });
const UNLIMITED: DecodeLimits = {
  maxDepth: Number.POSITIVE_INFINITY,
  baseObjects: Number.POSITIVE_INFINITY,
  bytesPerObject: 1,
};
/** The codec's reading settings (codec.ts; keep in step), to check the scan against msgpackr itself. */
const packr = new Packr({
  useRecords: false,
  structuredClone: false,
  mapsAsObjects: true,
  variableMapSize: true,
  int64AsType: 'auto' as 'number',
});

function scanAll(bytes: Uint8Array, limits: DecodeLimits = UNLIMITED) {
  return new StructureScanner(limits).scan(bytes, 0, bytes.length, bytes.length);
}

/** `[0, 1, "x", [array32 of n copies of one byte]]`: the repro with any item. */
function bomb(items: number, item: number): Buffer {
  const bytes = Buffer.alloc(11 + items, item);
  bytes.set([0x94, 0x00, 0x01, 0xa1, 0x78, 0x91, 0xdd], 0);
  bytes.writeUInt32BE(items, 7);
  return bytes;
}

/** `depth` arrays of one element each around a nil. */
function nested(depth: number): Buffer {
  return Buffer.concat([Buffer.alloc(depth, 0x91), Buffer.from([0xc0])]);
}

describe('the structure scan', () => {
  it('finds the end of every value the codec encodes, through every header width', () => {
    const wide = [
      'x'.repeat(31),
      'x'.repeat(300),
      'x'.repeat(70_000),
      new Uint8Array(300),
      new Uint8Array(70_000),
      new Array(20).fill(1),
      new Array(70_000).fill(null),
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
      Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, -i])),
      new Date(0),
      new Date(2 ** 40),
      2 ** 53 + 2,
      -(2 ** 40),
      1.5,
      2 ** 64 * 3,
    ];
    for (const value of wide) {
      const bytes = codec.encodeValue(value);
      expect(scanAll(bytes)).toBe(bytes.length);
    }
  });

  it('passes every ordinary value the codec encodes, under the default caps', () => {
    const scanner = new StructureScanner({ maxDepth: 128, baseObjects: 1024, bytesPerObject: 8 });
    fc.assert(
      fc.property(fc.anything({ maxDepth: 6, withDate: true, withTypedArray: false, withBigInt: false }), (value) => {
        const bytes = codec.encodeValue(value);
        expect(scanner.scan(bytes, 0, bytes.length, bytes.length)).toBe(bytes.length);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('agrees with msgpackr: what it calls malformed msgpackr refuses, and what msgpackr reads whole it reads whole', () => {
    const mutated = fc
      .tuple(
        fc.anything({ maxDepth: 4, withDate: true, withBigInt: false }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
      )
      .map(([value, at, byte, cut]) => {
        const bytes = Buffer.from(codec.encodeValue(value));
        const index = at % bytes.length;
        if (cut) return bytes.subarray(0, index);
        bytes[index] = byte;
        return bytes;
      });
    fc.assert(
      fc.property(mutated, (bytes) => {
        const scanned = scanAll(bytes);
        let readWhole: boolean;
        try {
          packr.unpack(bytes);
          readWhole = true;
        } catch {
          readWhole = false;
        }
        if (scanned === 'malformed') expect(readWhole).toBe(false);
        if (readWhole) expect(scanned).toBe(bytes.length);
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('refuses the issue repro of empty maps once it holds more objects than its bytes allow', () => {
    const scanner = new StructureScanner({ maxDepth: 128, baseObjects: 1024, bytesPerObject: 8 });
    const bytes = bomb(100_000, 0x80);

    expect(scanner.scan(bytes, 0, bytes.length, bytes.length)).toBe('objects');
    expect(scanner.cap).toBe(1024 + Math.floor(bytes.length / 8));
  });

  it('counts maps, arrays, binaries and extensions as objects, and not numbers or strings', () => {
    const limits = { maxDepth: 128, baseObjects: 0, bytesPerObject: 1 };
    // 200 one-byte items in 211 bytes: 211 objects allowed, 203 used (envelope, params, array32, 200 items).
    expect(scanAll(bomb(200, 0x90), limits)).toBe(211);
    expect(scanAll(bomb(200, 0x80), { ...limits, bytesPerObject: 2 })).toBe('objects');
    expect(scanAll(bomb(200, 0x01), { ...limits, baseObjects: 3, bytesPerObject: Number.POSITIVE_INFINITY })).toBe(211);
    const bins = codec.encodeValue(new Array(100).fill(new Uint8Array(0)));
    expect(scanAll(bins, { ...limits, baseObjects: 100, bytesPerObject: Number.POSITIVE_INFINITY })).toBe('objects');
    expect(scanAll(bins, { ...limits, baseObjects: 101, bytesPerObject: Number.POSITIVE_INFINITY })).toBe(bins.length);
    const dates = codec.encodeValue(new Array(100).fill(new Date(0)));
    expect(scanAll(dates, { ...limits, baseObjects: 100, bytesPerObject: Number.POSITIVE_INFINITY })).toBe('objects');
    const strings = codec.encodeValue(new Array(100).fill('ab'));
    expect(scanAll(strings, { ...limits, baseObjects: 1, bytesPerObject: Number.POSITIVE_INFINITY })).toBe(
      strings.length,
    );
  });

  it('allows nesting to the depth cap and refuses one level more', () => {
    const limits = { maxDepth: 128, baseObjects: 10_000, bytesPerObject: 1 };
    const scanner = new StructureScanner(limits);

    expect(scanner.scan(nested(128), 0, 129, 129)).toBe(129);
    expect(scanner.scan(nested(129), 0, 130, 130)).toBe('depth');
    expect(scanner.cap).toBe(128);
  });

  it('scans a million levels without recursion when uncapped', () => {
    const bytes = nested(1_000_000);

    expect(scanAll(bytes)).toBe(bytes.length);
  });

  it('calls a container malformed at once when it announces more items than bytes remain', () => {
    const scanner = new StructureScanner(UNLIMITED);
    const bytes = Buffer.from([0x94, 0x00, 0x01, 0xa1, 0x78, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x80, 0x80]);

    expect(scanner.scan(bytes, 0, bytes.length, bytes.length)).toBe('malformed');
    expect(scanner.reason).toBe('a container announces 4294967295 items in 2 bytes');
  });

  it('calls 0xc1 and a value cut short malformed', () => {
    expect(scanAll(Buffer.from([0x92, 0x01, 0xc1]))).toBe('malformed');
    expect(scanAll(Buffer.from([0x92, 0x01, 0xcd, 0x01]))).toBe('malformed');
    expect(scanAll(Buffer.from([0xa5, 0x61]))).toBe('malformed');
  });

  it('scans one value from an offset and returns where it ends, trailing bytes left alone', () => {
    const bytes = Buffer.from([0xff, 0x92, 0x01, 0xa1, 0x61, 0xc0, 0xc0]);

    expect(new StructureScanner(UNLIMITED).scan(bytes, 1, bytes.length, bytes.length)).toBe(5);
  });
});
