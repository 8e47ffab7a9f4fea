import { createCodec, type Envelope, KIND } from '@volley/wire';
import { type Options, Packr } from 'msgpackr';
import { encodeRequest, encodeValue, randomBytesFrom } from '../support/index.js';

/** Largest hostile message: below a loopback datagram's limit, so the kernel takes each one. */
const MAX_HOSTILE_BYTES = 1_200;

/** What a hostile message is, to report the mix sent. */
export type HostileKind =
  | 'random'
  | 'envelope-prefixed random'
  | 'mutated valid'
  | 'wrong body'
  | 'hostile value'
  | 'valid';

/** One hostile message and whether the server's codec will reject it (a `malformed envelope` line). */
export interface HostileMessage {
  kind: HostileKind;
  bytes: Buffer;
  malformed: boolean;
}

const codec = createCodec();
const clientId = (random: () => number) => randomBytesFrom(random, 8);

/**
 * Valid envelopes of every kind, as a peer would send them. Methods are the app router's cheap
 * ones: no `echo.slow` (a flood of parked calls would rightly refuse the good client with
 * RESOURCE_EXHAUSTED) and no `kv.set` (stored values are data, not a leak).
 */
function validEnvelopes(random: () => number): Envelope[] {
  const meta = {
    deadlineMs: 5_000,
    attempt: 1,
    clientId: clientId(random),
    trace: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  };
  return [
    { kind: KIND.request, id: 1, method: 'echo.add', input: { a: 1, b: 2 } },
    { kind: KIND.request, id: 70_000, method: 'echo.add', input: { a: 1.5, b: -2 }, meta },
    { kind: KIND.request, id: 0xffff_fff0, method: 'echo.echo', input: { message: 'hello, flood' }, meta },
    { kind: KIND.request, id: 3, method: 'echo.ping', input: undefined },
    {
      kind: KIND.request,
      id: 4,
      method: 'kv.get',
      input: { key: 'k' },
      meta: { clientId: clientId(random), attempt: 2, fetchOnly: true },
    },
    { kind: KIND.request, id: 5, method: 'kv.list', input: { prefix: 'a', limit: 10 } },
    { kind: KIND.response, id: 9, result: { sum: 3 }, meta: { attempt: 1, clientId: clientId(random) } },
    { kind: KIND.response, id: null, error: { code: 'BAD_REQUEST', message: 'x' } },
    { kind: KIND.notification, method: 'echo.echo', input: { message: 'n' } },
    { kind: KIND.cancel, id: 1, meta: { clientId: clientId(random) } },
    { kind: KIND.ping, id: 77 },
    { kind: KIND.pong, id: 77 },
    { kind: KIND.goaway, reason: 'not from a client' },
  ];
}

/**
 * Envelopes that parse as requests but whose bodies are wrong: bad ids, wrong params, unknown or
 * absurd methods, metadata of the wrong types, extra elements.
 */
function wrongBodies(): unknown[][] {
  const deep: unknown[] = [];
  let at = deep;
  for (let i = 0; i < 200; i++) at.push((at = []));
  return [
    [0, 1, 'echo.add', [{ a: 'one', b: null }]],
    [0, 2, 'echo.add', [{ a: 1 }, { b: 2 }]],
    [0, 3, 'echo.add', {}],
    [0, 4, 'echo.add', 'params'],
    [0, 5, 'echo.echo', [{ message: 42 }]],
    [0, 6, 'echo.echo', [{ message: 'x'.repeat(1_000) }]],
    [0, 7, 'echo.echo', [deep]],
    [0, 8, 'no.such.method', []],
    [0, 9, 'x'.repeat(1_000), []],
    [0, 10, '__proto__', []],
    [0, 11, 'echo.constructor', []],
    [0, 12, '', []],
    [0, -1, 'echo.add', [{ a: 1, b: 1 }]],
    [0, 2 ** 32, 'echo.add', [{ a: 1, b: 1 }]],
    [0, 1.5, 'echo.add', [{ a: 1, b: 1 }]],
    [0, 'id', 'echo.add', [{ a: 1, b: 1 }]],
    [0, 13, 'echo.add', [{ a: 1, b: 1 }], { d: -1 }],
    [0, 14, 'echo.add', [{ a: 1, b: 1 }], { c: 'not-bytes' }],
    [0, 15, 'echo.add', [{ a: 1, b: 1 }], { a: 2 ** 40 }],
    [0, 16, 'echo.add', [{ a: 1, b: 1 }], { fo: 'yes' }],
    [0, 17, 'echo.add', [{ a: 1, b: 1 }], { d: 0 }],
    [0, 18, 'echo.add', [{ a: 1, b: 1 }], {}, 'extra'],
    [0, 19, 'kv.get', [{ key: JSON.parse('{"__proto__":"y","toString":"x","constructor":1}') }]],
    [0, 20, 'kv.list', [{ limit: 1e9 }]],
    [1, 21, null, { sum: 1 }],
    [2, 'echo.add', [{ a: 1, b: 1 }]],
    [3, 2 ** 33],
    [4, 'x'],
    [6, 42],
    [7, 1],
    [-1, 1],
    ['request', 1, 'echo.add', []],
    [null, null],
  ];
}

/**
 * Requests whose input holds values msgpackr decodes into objects rather than plain data: errors
 * (extension 0x65), a regexp (0x78), a set (0x73), typed arrays (0x74), dates (0xff), cycles
 * through structured-clone ids and pointers (0x69, 0x70), shared references that fan out into a
 * huge tree, records (0x72), bundled strings (0x62) and 64-bit-plus BigInts (0x42); each also cut
 * one byte short.
 */
function hostileValueRequests(): Buffer[] {
  const packr = new Packr({ structuredClone: true, useRecords: true, moreTypes: true, bundleStrings: true } as Options);
  const cycle: Record<string, unknown> = { message: 'cycle' };
  cycle.self = cycle;
  cycle.a = cycle;
  const loop: unknown[] = [];
  loop.push(loop);
  // 30 levels of [x, x] sharing one reference: ~400 bytes that stand for a tree of 2^31 values.
  let fanOut: unknown = 'leaf';
  for (let i = 0; i < 30; i++) fanOut = [fanOut, fanOut];
  const values: unknown[] = [
    new Error('boom'),
    new TypeError('typed'),
    /(a+)+$/,
    new Set([1, 2, 3]),
    new Int16Array([1, 2, 3]),
    new Float64Array(2),
    new Date(0),
    new Date(Number.NaN),
    cycle,
    loop,
    fanOut,
    { message: 'a record' },
    2n ** 100n,
    new Map<unknown, unknown>([
      [1, 2],
      [{}, []],
    ]),
  ];
  const requests = values.flatMap((value, id) => [
    [0, id, 'echo.echo', [value]],
    [0, id, 'echo.add', [{ a: value, b: value }]],
    [0, id, 'kv.get', [{ key: value }]],
    [0, id, 'echo.echo', [{ message: 'meta' }], { t: value, c: value }],
    [2, 'echo.echo', [{ message: value }]],
  ]);
  return requests.flatMap((request) => {
    const bytes = packr.pack(request);
    return [bytes, bytes.subarray(0, bytes.length - 1)];
  });
}

export interface HostileTraffic {
  /** The next message, drawn from the seeded mix. */
  next(): HostileMessage;
  /** Messages produced so far, per kind. */
  readonly counts: Record<HostileKind, number>;
}

/**
 * A deterministic stream of hostile messages (given the seeded `random`): random bytes, random
 * bytes behind a plausible envelope header, valid envelopes of every kind with bytes flipped,
 * inserted, deleted or truncated, requests with wrong bodies, requests whose input decodes to
 * objects (errors, cycles, regexps), and a few valid requests.
 */
export function createHostileTraffic(random: () => number): HostileTraffic {
  const valid = validEnvelopes(random).map((e) => codec.encode(e));
  const wrong = wrongBodies().map((value) => encodeValue(value));
  const hostileValues = hostileValueRequests();
  const counts: Record<HostileKind, number> = {
    random: 0,
    'envelope-prefixed random': 0,
    'mutated valid': 0,
    'wrong body': 0,
    'hostile value': 0,
    valid: 0,
  };
  const int = (below: number) => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

  function make(kind: HostileKind): Buffer {
    switch (kind) {
      case 'random':
        return randomBytesFrom(random, 1 + int(random() < 0.9 ? 200 : MAX_HOSTILE_BYTES));
      case 'envelope-prefixed random':
        return Buffer.concat([Buffer.from([0x92 + int(4), int(8)]), randomBytesFrom(random, int(120))]);
      case 'mutated valid':
        return mutate(pick(valid), 1 + int(4), random);
      case 'wrong body':
        return pick(wrong);
      case 'hostile value':
        return random() < 0.8 ? pick(hostileValues) : mutate(pick(hostileValues), 1 + int(2), random);
      case 'valid':
        return encodeRequest(int(0x1_0000_0000), 'echo.add', { a: int(1000), b: int(1000) });
    }
  }

  return {
    counts,
    next() {
      const roll = random();
      const kind: HostileKind =
        roll < 0.3
          ? 'random'
          : roll < 0.45
            ? 'envelope-prefixed random'
            : roll < 0.8
              ? 'mutated valid'
              : roll < 0.9
                ? 'wrong body'
                : roll < 0.98
                  ? 'hostile value'
                  : 'valid';
      counts[kind]++;
      const bytes = make(kind);
      return { kind, bytes, malformed: !codec.decode(bytes).ok };
    },
  };
}

/** Flips bits, overwrites, inserts, deletes, truncates or repeats bytes of a copy of `source`. */
function mutate(source: Buffer, times: number, random: () => number): Buffer {
  let bytes = Buffer.from(source);
  for (let i = 0; i < times; i++) {
    const at = Math.floor(random() * bytes.length);
    const op = Math.floor(random() * 6);
    if (op === 0) bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(random() * 8));
    else if (op === 1) bytes[at] = Math.floor(random() * 256);
    else if (op === 2)
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([Math.floor(random() * 256)]), bytes.subarray(at)]);
    else if (op === 3) bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    else if (op === 4) bytes = bytes.subarray(0, Math.max(1, at));
    else bytes = Buffer.concat([bytes, bytes.subarray(at)]);
  }
  return bytes.length === 0 ? Buffer.from([0xc1]) : bytes;
}
