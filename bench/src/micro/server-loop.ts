/**
 * In-process loop of the server's per-call work, without sockets: encoded request frames go
 * straight to the message handler, replies to a channel that only counts them. For A/B
 * comparisons of hot-path changes (ns per call, steadier than the full bench), beside a loop of
 * the raw baseline's work (unpack, answer, pack).
 *
 *   node --conditions=@volley/source --import tsx bench/src/micro/server-loop.ts [calls] [volley|raw|both] [tcp|udp] [add|echo|once] [stats|noop|observed]
 *
 * `udp` makes the channel a datagram channel and the requests carry what a UDP client sends (attempt,
 * client id); `echo` sends a 4096-character string instead of `{a, b}`; `once` calls `addOnce`
 * (not idempotent: over UDP every reply is kept in the reply cache, which fills to its cap and
 * evicts, as in the bench) with a new msgid per call. `stats` gives the handler the call statistics
 * every server keeps by default (`CallStats`, as its only observer), `noop` an observer that does
 * nothing (what the observer seam costs by itself); without either there is no observer.
 *
 * With `--trace-gc-nvp` and one system, `allocated` per scavenge ÷ calls gives bytes per call.
 */

import { compileRouter } from '@volley/router/internal';
import type { Channel } from '@volley/transport';
import { createCodec } from '@volley/wire';
import { Packr } from 'msgpackr';
import { pino } from 'pino';
import { AddressValidator } from '../../../packages/server/src/datagram/address-validator.js';
import { DatagramPolicy } from '../../../packages/server/src/datagram/datagram-policy.js';
import { ReplyCache } from '../../../packages/server/src/datagram/reply-cache.js';
import { LogLimiter } from '../../../packages/server/src/log-limiter.js';
// Internals on purpose: this measures the handler alone, not a transport. Composed as server.ts does.
import { createMessageHandler } from '../../../packages/server/src/message-handler.js';
import { CallStats } from '../../../packages/server/src/observe/call-stats.js';
import { ReplySender } from '../../../packages/server/src/reply-sender.js';
import { createServerStats } from '../../../packages/server/src/server-stats.js';
import { StreamPolicy } from '../../../packages/server/src/stream/stream-policy.js';
import { benchRouter } from '../bench-router.js';

const calls = Number(process.argv[2] ?? 2_000_000);
const only = process.argv[3];
const udp = process.argv[4] === 'udp';
const echo = process.argv[5] === 'echo';
const once = process.argv[5] === 'once';
const callStats = process.argv[6] === 'stats' ? new CallStats() : undefined;
const NOOP_WATCH = { end() {} };
// `observed` (the tracing change's name) is `noop`: the cost of the observer seam itself.
const observer =
  process.argv[6] === 'noop' || process.argv[6] === 'observed' ? { onCall: () => NOOP_WATCH } : callStats;
const TEXT = 'x'.repeat(4096);
const codec = createCodec();
const logger = pino({ level: 'info' }, pino.destination('/dev/null'));
const limiter = new LogLimiter(logger);
const stats = createServerStats();
const replies = new ReplySender(codec, logger, stats);
const incarnation = 0x9e3779b9;
const datagram = new DatagramPolicy({
  cache: new ReplyCache(),
  validator: new AddressValidator(),
  incarnation,
  replies,
  stats,
  logger,
  limiter,
});
const handler = createMessageHandler({
  router: compileRouter(benchRouter),
  logger,
  limiter,
  codec,
  replies,
  stats,
  datagram,
  stream: new StreamPolicy({ replies, stats, logger, limiter, maxCallsPerConnection: 1024, kept: datagram.atMostOnce }),
  maxInFlight: 4096,
  incarnation,
  isDraining: () => false,
  onCallDone: () => {},
  observer,
});
let sent = 0;
const channelBase = {
  kind: udp ? ('udp' as const) : ('tcp' as const),
  peer: { transport: udp ? ('udp' as const) : ('tcp' as const), address: '127.0.0.1', port: 1 },
  maxMessageBytes: udp ? 65_507 : 16 * 1024 * 1024,
  send: () => {
    sent++;
    return true;
  },
};
// A validated datagram source (no anti-amplification budget), as a client with a cookie is.
const channel: Channel = udp
  ? { ...channelBase, mode: 'datagram', sendBudget: Number.POSITIVE_INFINITY, validate: () => {} }
  : { ...channelBase, mode: 'stream', close: () => {} };
if (channel.mode === 'stream') handler.listener.onChannelOpen?.(channel);
const clientId = Buffer.from('0123456789abcdef', 'hex');
// 256 distinct requests, as the bench's client varies `a` and the msgid. Their msgids are
// uint32s (`ce` + 4 bytes at offset 3), so `once` can patch a new one into each call.
const FIRST_ID = 0x10000000;
const frames = Array.from({ length: 256 }, (_, i) =>
  codec.encode({
    kind: 0,
    id: FIRST_ID + i,
    method: echo ? 'echo' : once ? 'addOnce' : 'add',
    input: echo ? { message: TEXT } : { a: i, b: 2 },
    meta: udp ? { deadlineMs: 10_000, attempt: 1, clientId } : { deadlineMs: 10_000 },
  }),
);
let nextId = FIRST_ID;

function volleyLoop(n: number): void {
  for (let i = 0; i < n; i++) {
    const frame = frames[i & 255] as Buffer;
    // Each datagram has a buffer of its own, as from a socket; the copy is small beside a call.
    if (once) frame.writeUInt32BE(nextId++ >>> 0, 3);
    handler.listener.onMessage(once ? Buffer.from(frame) : frame, channel);
  }
}

const packr = new Packr({ useRecords: false, mapsAsObjects: true });
const rawFrames = Array.from({ length: 256 }, (_, i) =>
  packr.pack([FIRST_ID + i, echo ? 1 : 0, echo ? { message: TEXT } : { a: i, b: 2 }]),
);
let rawSent = 0;
function rawLoop(n: number): void {
  for (let i = 0; i < n; i++) {
    const [id, op, body] = packr.unpack(rawFrames[i & 255] as Buffer) as [
      number,
      number,
      { a: number; b: number; message: string },
    ];
    const out = packr.pack([id, op === 1 ? { message: body.message } : { sum: body.a + body.b }]);
    if (out.length > 0) rawSent++;
  }
}

function time(name: string, loop: (n: number) => void): number {
  loop(calls / 10);
  const start = process.hrtime.bigint();
  loop(calls);
  const ns = Number(process.hrtime.bigint() - start) / calls;
  console.log(`${name.padEnd(8)} ${ns.toFixed(0).padStart(5)} ns/call`);
  return ns;
}

const results: Record<string, number[]> = { volley: [], raw: [] };
for (let round = 0; round < 5; round++) {
  if (only !== 'raw') results.volley?.push(time('volley', volleyLoop));
  if (only !== 'volley') results.raw?.push(time('raw', rawLoop));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
if (callStats !== undefined) console.log(`call stats: ${JSON.stringify(callStats.snapshot().series[0]?.calls)}`);
console.log(
  `median: volley ${median(results.volley ?? []).toFixed(0)} ns, raw ${median(results.raw ?? []).toFixed(0)} ns (${sent + rawSent} replies)`,
);
