/**
 * Issue 13 item 1: what one frame that expands while it is decoded costs a server, beside a frame
 * of ordinary data of the same size. Each shape runs in a fresh child process (clean heap and
 * RSS) holding a real server on TCP loopback; the frame is sent from a raw socket in the same
 * process, so "server CPU" is the process's CPU from the write to the reply (the client side only
 * writes one prebuilt buffer and reads one frame).
 *
 *   node --conditions=@volley/source --import tsx bench/src/attack/decoding-bomb.ts [bytes] [shape…]
 *
 * Shapes: `maps` (the repro, `[0, 1, "sink", [[{}, {}, …]]]`, one 0x80 per map), `arrays`
 * (0x90), `ints` (0x01), `keys` (one map of distinct 3-character keys: expands by CPU, not by
 * objects; `keys-unknown` sends it to a method the server lacks), `capped` (as many empty maps as the default decode limits accept, then one string: the
 * worst message they let through), `ordinary` (records `{id, name, score, tags}`). `bytes` defaults to 4 MiB, the frame
 * limit since issue 13; 16 MiB (the limit before) is closed by the frame limit now.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { procedure, router } from '@volley/router';
import { createServer } from '@volley/server';
import { createCodec } from '@volley/wire';
import { encodeFrame, FrameDecoder } from '@volley/wire/internal';
import { pino } from 'pino';

const SHAPES = ['maps', 'arrays', 'ints', 'keys', 'keys-unknown', 'capped', 'ordinary'] as const;
type Shape = (typeof SHAPES)[number];

/**
 * The repro's head with a method the server has: `94 00 01 a4 "sink" 91`, a request, msgid 1, one
 * param. The repro calls "x"; since issue 13 a large request to an unknown method is
 * refused before decoding, so a real method is the attacker's best case (`keys-unknown` shows x).
 */
const HEAD = [0x94, 0x00, 0x01, 0xa4, 0x73, 0x69, 0x6e, 0x6b, 0x91];

/** `[0, 1, "sink", [array32 of n one-byte items]]`, `bytes` long. */
function oneByteItems(bytes: number, item: number): Buffer {
  const payload = Buffer.alloc(bytes, item);
  payload.set(HEAD, 0);
  payload[HEAD.length] = 0xdd;
  payload.writeUInt32BE(bytes - HEAD.length - 5, HEAD.length + 1);
  return payload;
}

/** One map32 of distinct fixstr(3) keys, each with value 1: five bytes per entry. */
function distinctKeys(bytes: number): Buffer {
  const entries = Math.floor((bytes - HEAD.length - 5) / 5);
  const payload = Buffer.alloc(HEAD.length + 5 + entries * 5);
  payload.set(HEAD, 0);
  payload[HEAD.length] = 0xdf;
  payload.writeUInt32BE(entries, HEAD.length + 1);
  let at = HEAD.length + 5;
  for (let i = 0; i < entries; i++) {
    payload[at++] = 0xa3;
    payload[at++] = 0x21 + (i % 94);
    payload[at++] = 0x21 + (Math.floor(i / 94) % 94);
    payload[at++] = 0x21 + (Math.floor(i / 8836) % 94);
    payload[at++] = 1;
  }
  return payload;
}

/**
 * `[0, 1, "sink", [[{}, … , "xxx…"]]]`: the default object cap (1024 + 1 per 8 bytes) less the three
 * arrays around the maps, as empty maps, and a str32 filling the rest of `bytes`.
 */
function capped(bytes: number): Buffer {
  // DEFAULT_BASE_OBJECTS and DEFAULT_BYTES_PER_OBJECT, as literals so that this script also runs
  // on the code from before issue 13 (for "before" figures).
  const maps = 1024 + Math.floor(bytes / 8) - 3;
  const filler = bytes - HEAD.length - 5 - maps - 5;
  const payload = Buffer.alloc(bytes, 0x78);
  payload.set(HEAD, 0);
  payload[HEAD.length] = 0xdd;
  payload.writeUInt32BE(maps + 1, HEAD.length + 1);
  payload.fill(0x80, HEAD.length + 5, HEAD.length + 5 + maps);
  payload[HEAD.length + 5 + maps] = 0xdb;
  payload.writeUInt32BE(filler, HEAD.length + 6 + maps);
  return payload;
}

/** Records of ordinary data, as many as fit in `bytes`. */
function ordinary(bytes: number): Buffer {
  const codec = createCodec();
  const records: unknown[] = [];
  // One record encodes to about 40 bytes: estimate, then trim to fit.
  for (let i = 0; i < bytes / 40; i++) records.push({ id: i, name: `user${i}`, score: i * 1.5, tags: ['a', 'bb'] });
  let payload = codec.encode({ kind: 0, id: 1, method: 'sink', input: records });
  while (payload.length > bytes) {
    records.length -= Math.ceil((payload.length - bytes) / (payload.length / records.length));
    payload = codec.encode({ kind: 0, id: 1, method: 'sink', input: records });
  }
  return payload;
}

function build(shape: Shape, bytes: number): Buffer {
  switch (shape) {
    case 'maps':
      return oneByteItems(bytes, 0x80);
    case 'arrays':
      return oneByteItems(bytes, 0x90);
    case 'ints':
      return oneByteItems(bytes, 0x01);
    case 'keys':
      return distinctKeys(bytes);
    case 'keys-unknown': {
      // The same keys sent to "x" (the method name), which the server does not have.
      const payload = distinctKeys(bytes);
      return Buffer.concat([Buffer.from([0x94, 0x00, 0x01, 0xa1, 0x78]), payload.subarray(HEAD.length - 1)]);
    }
    case 'capped':
      return capped(bytes);
    case 'ordinary':
      return ordinary(bytes);
  }
}

/** Child: one server, one frame; prints one JSON line. */
async function measure(shape: Shape, file: string): Promise<void> {
  // Built by the parent: making `ordinary`'s records here would raise this process's peak RSS
  // before the measurement starts, and hide the decode's own peak.
  const frame = encodeFrame(readFileSync(file));
  const payload = frame.subarray(4);
  const bytes = payload.length;
  const server = createServer({
    // `sink` takes any input (no schema) and ignores it: the input is decoded, then dropped.
    router: router({ sink: procedure.handler(() => 'ok') }),
    logger: pino({ level: 'silent' }),
  });
  const bound = await server.listen({
    tcp: { host: '127.0.0.1', port: 0, maxFrameBytes: Math.max(bytes, 4 * 1024 * 1024) },
  });
  const socket = connect({ host: '127.0.0.1', port: bound.tcp?.port ?? 0 });
  await new Promise((resolve) => socket.once('connect', resolve));
  const replies: Buffer[] = [];
  let onReply: (() => void) | undefined;
  const decoder = new FrameDecoder((reply) => {
    replies.push(Buffer.from(reply));
    onReply?.();
  });
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});

  globalThis.gc?.();
  const before = process.memoryUsage();
  const maxRssBefore = process.resourceUsage().maxRSS;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  socket.write(frame);
  await Promise.race([new Promise<void>((resolve) => (onReply = resolve)), closed]);
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  delay.disable();
  const after = process.memoryUsage();
  globalThis.gc?.();
  const settled = process.memoryUsage();
  const reply = replies[0] ? createCodec().decode(replies[0]) : undefined;
  const outcome =
    reply === undefined
      ? 'connection closed'
      : reply.ok
        ? JSON.stringify((reply.value as { error?: { code: string } }).error?.code ?? 'ok')
        : 'undecodable';
  const mib = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
  console.log(
    JSON.stringify({
      shape,
      bytes: payload.length,
      cpuMs: Math.round((used.user + used.system) / 1000),
      wallMs: Math.round(elapsedMs),
      maxStallMs: Math.round(delay.max / 1e6),
      peakRssMiB: mib((process.resourceUsage().maxRSS - maxRssBefore) * 1024),
      rssAfterMiB: mib(after.rss - before.rss),
      heapAfterGcMiB: mib(settled.heapUsed - before.heapUsed),
      reply: outcome,
    }),
  );
  socket.destroy();
  await server.close({ graceMs: 0 });
}

const [, , sizeArg, ...shapeArgs] = process.argv;
if (process.env.DECODING_BOMB_CHILD) {
  await measure(shapeArgs[0] as Shape, sizeArg as string);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'decoding-bomb-'));
  const bytes = Number(sizeArg ?? 4 * 1024 * 1024);
  const shapes = shapeArgs.length > 0 ? (shapeArgs as Shape[]) : SHAPES;
  console.log(`frame payload ${bytes} bytes; one fresh server process per line`);
  for (const shape of shapes) {
    const file = join(dir, shape);
    writeFileSync(file, build(shape, bytes));
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--conditions=@volley/source', '--import', 'tsx', fileURLToPath(import.meta.url), file, shape],
      {
        env: { ...process.env, DECODING_BOMB_CHILD: '1' },
        encoding: 'utf8',
      },
    );
    process.stdout.write(out);
  }
  rmSync(dir, { recursive: true });
}
