import { createClient } from '@volley/client';
import type { BenchRouter } from './bench-router.js';
import type { CallFn } from './closed-loop.js';
import { connectRawTcp, type RawClient } from './raw/raw-tcp-client.js';
import { connectRawUdp } from './raw/raw-udp-client.js';
import { BENCH_MAX_DATAGRAM_BYTES, type Payload, type TransportName } from './scenarios.js';
import type { ServerPorts } from './spawn-server.js';

/** A connected client of one implementation over one transport, as the bench drives it. */
export interface Target {
  /** A call function sending `payload`; built once per run so the loop allocates nothing extra. */
  caller(payload: Payload): CallFn;
  /** Retransmissions so far (UDP): Volley's adaptive resends or raw's timeout resends. */
  resends(): number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Connects a Volley client (through its public API, typed by the bench router) to the child's port. */
export async function connectVolleyTarget(transport: TransportName, ports: ServerPorts): Promise<Target> {
  const url = `${transport}://${HOST}:${ports[transport]}`;
  const client = createClient<BenchRouter>(url, transport === 'udp' ? { maxDatagramBytes: BENCH_MAX_DATAGRAM_BYTES } : {});
  const target: Target = {
    caller(payload) {
      if (payload.procedure === 'add') {
        const input = payload.body as { a: number; b: number };
        return () => client.add(input);
      }
      if (payload.procedure === 'addOnce') {
        const input = payload.body as { a: number; b: number };
        return () => client.addOnce(input);
      }
      const input = payload.body as { message: string };
      return () => client.echo(input);
    },
    resends: () => client.stats.retransmits,
    close: () => client.close(),
  };
  await checkTarget(target, url);
  return target;
}

/** Connects the matching raw baseline client. */
export async function connectRawTarget(transport: TransportName, ports: ServerPorts): Promise<Target> {
  const raw: RawClient = transport === 'tcp' ? await connectRawTcp(ports.tcp, HOST) : await connectRawUdp(ports.udp, HOST);
  const target: Target = {
    caller: (payload) => () => raw.call(payload.rawOp, payload.body),
    resends: () => raw.resends,
    close: async () => raw.close(),
  };
  await checkTarget(target, `raw ${transport}://${HOST}`);
  return target;
}

/** One call of each payload before timing anything: a wrong answer would make every figure meaningless. */
async function checkTarget(target: Target, name: string): Promise<void> {
  const sum = (await target.caller({ name: 'add', label: '', procedure: 'add', rawOp: 0, body: { a: 2, b: 3 } })()) as { sum?: number };
  if (sum.sum !== 5) throw new Error(`${name}: add(2, 3) answered ${JSON.stringify(sum)}`);
  const once = (await target.caller({ name: 'add-once', label: '', procedure: 'addOnce', rawOp: 0, body: { a: 3, b: 4 } })()) as { sum?: number };
  if (once.sum !== 7) throw new Error(`${name}: addOnce(3, 4) answered ${JSON.stringify(once)}`);
  const message = 'check'.repeat(1000);
  const echoed = (await target.caller({ name: 'echo-4k', label: '', procedure: 'echo', rawOp: 1, body: { message } })()) as { message?: string };
  if (echoed.message !== message) throw new Error(`${name}: echo did not return its message`);
}
