/**
 * In-process loop of the client's per-call work, without sockets: a `ClientCore` on a fake
 * connection whose "server" answers every request of a turn at the next `setImmediate`, by
 * patching the msgid into a reply encoded once. Beside it, the raw baseline client's work (pack
 * `[id, op, body]`, a Map of pending calls, unpack the reply) on the same fake network. For A/B
 * comparisons of client hot-path changes (ns per call); the counterpart of server-loop.ts.
 *
 *   node --conditions=@volley/source --import tsx bench/src/micro/client-loop.ts [calls] [volley|raw|both] [tcp|udp] [add|echo]
 *
 * `outstanding` calls (64) are kept in flight, as in the bench's ×64 scenarios.
 */
import type { ClientConnection, ConnectionHandlers } from '@volley/transport';
import { createCodec } from '@volley/wire';
import { Packr } from 'msgpackr';
// Internals on purpose: this measures the client engine alone, not a transport.
import { ClientCore } from '../../../packages/client/src/client-core.js';

const calls = Number(process.argv[2] ?? 1_000_000);
const only = process.argv[3];
const udp = process.argv[4] === 'udp';
const echo = process.argv[5] === 'echo';
const OUTSTANDING = 64;
const TEXT = 'x'.repeat(4096);
/** A msgid this large is written as uint32 (`ce` + 4 bytes), so any id can be patched in place. */
const TEMPLATE_ID = 0xfffffff0;

/** Replies to the requests a fake connection saw this turn, at the next setImmediate (as a socket would). */
class FakeServer {
  #queue: number[] = [];
  #scheduled = false;
  constructor(
    private readonly idOf: (request: Uint8Array) => number,
    private readonly replyTo: (id: number) => void,
  ) {}
  receive(request: Uint8Array): void {
    this.#queue.push(this.idOf(request));
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }
  #flush(): void {
    this.#scheduled = false;
    const ids = this.#queue;
    this.#queue = [];
    for (const id of ids) this.replyTo(id);
  }
}

/** Replies are carved out of one slab, so the fake network costs little beside what is measured. */
const SLAB_BYTES = 1024 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

/** A copy of `template` with `id` written at `offset` (a uint32 msgid's 4 bytes). */
function patched(template: Buffer, offset: number, id: number): Buffer {
  if (slabUsed + template.length > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + template.length);
  slabUsed += (template.length + 7) & ~7;
  out.set(template, 0);
  out.writeUInt32BE(id, offset);
  return out;
}

async function closedLoop(n: number, call: () => Promise<unknown>): Promise<void> {
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < n) {
      started++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: OUTSTANDING }, worker));
}

async function volleyLoop(): Promise<(n: number) => Promise<void>> {
  const codec = createCodec();
  let handlers: ConnectionHandlers | undefined;
  let template: Buffer | undefined;
  // Envelope `[0, id, …]`: a uint32 id starts at byte 3 (fixarray, kind, `ce`).
  const server = new FakeServer(
    (request) => readMsgid(request, 2),
    (id) => handlers?.onMessage(patched(template as Buffer, 3, id)),
  );
  const connection: ClientConnection = {
    kind: udp ? 'udp' : 'tcp',
    peer: { transport: udp ? 'udp' : 'tcp', address: '127.0.0.1', port: 1 },
    mode: udp ? 'datagram' : 'stream',
    maxMessageBytes: udp ? 65_507 : 16 * 1024 * 1024,
    send: (message) => {
      server.receive(message);
      return true;
    },
    close: () => {},
  };
  const core = new ClientCore(
    async (h) => {
      handlers = h;
      return connection;
    },
    { mode: udp ? 'datagram' : 'stream', target: 'loop' },
  );
  const body = codec.encodeResult(TEMPLATE_ID, echo ? { message: TEXT } : { sum: 3 });
  template = udp ? codec.appendResponseMeta(body, { attempt: 1, clientId: core.clientId, incarnation: 7 }) : body;
  const method = echo ? 'echo' : 'add';
  const input = echo ? () => ({ message: TEXT }) : () => ({ a: 1, b: 2 });
  await core.call(method, input());
  return (n) => closedLoop(n, () => core.call(method, input()));
}

/** The msgid at `at` in a request (a positive msgpack integer), without decoding the rest. */
function readMsgid(request: Uint8Array, at: number): number {
  const tag = request[at] as number;
  const view = Buffer.from(request.buffer, request.byteOffset, request.length);
  if (tag < 0x80) return tag;
  if (tag === 0xcc) return view.readUInt8(at + 1);
  if (tag === 0xcd) return view.readUInt16BE(at + 1);
  return view.readUInt32BE(at + 1);
}

async function rawLoop(): Promise<(n: number) => Promise<void>> {
  const packr = new Packr({ useRecords: false, mapsAsObjects: true });
  const pending = new Map<number, (body: unknown) => void>();
  // `[id, body]` with a uint32 id: `92 ce <4 bytes>`.
  const template = packr.pack([TEMPLATE_ID, echo ? { message: TEXT } : { sum: 3 }]);
  const server = new FakeServer(
    // `[id, op, body]`: the id follows the fixarray byte.
    (request) => readMsgid(request, 1),
    (id) => {
      const [replyId, body] = packr.unpack(patched(template, 2, id)) as [number, unknown];
      const settle = pending.get(replyId);
      if (settle === undefined) return;
      pending.delete(replyId);
      settle(body);
    },
  );
  let nextId = 0;
  const call = (): Promise<unknown> => {
    const id = nextId;
    nextId = (nextId + 1) >>> 0;
    server.receive(packr.pack([id, echo ? 1 : 0, echo ? { message: TEXT } : { a: 1, b: 2 }]));
    return new Promise((settle) => pending.set(id, settle));
  };
  return (n) => closedLoop(n, call);
}

async function time(name: string, loop: (n: number) => Promise<void>): Promise<number> {
  await loop(calls / 10);
  const start = process.hrtime.bigint();
  await loop(calls);
  const ns = Number(process.hrtime.bigint() - start) / calls;
  console.log(`${name.padEnd(8)} ${ns.toFixed(0).padStart(5)} ns/call`);
  return ns;
}

const loops = { volley: await volleyLoop(), raw: await rawLoop() };
const results: Record<string, number[]> = { volley: [], raw: [] };
for (let round = 0; round < 5; round++) {
  if (only !== 'raw') results.volley?.push(await time('volley', loops.volley));
  if (only !== 'volley') results.raw?.push(await time('raw', loops.raw));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  `median: volley ${median(results.volley ?? []).toFixed(0)} ns, raw ${median(results.raw ?? []).toFixed(0)} ns`,
);
process.exit(0);
