import { RAW_OP, type RawOp } from './raw/raw-protocol.js';

/**
 * UDP datagram limit for the bench, on both Volley ends: the 4 KiB echo needs more than the
 * 1200-byte default; 65 507 is the IPv4 maximum (MAX_UDP_PAYLOAD_BYTES), fine on loopback.
 */
export const BENCH_MAX_DATAGRAM_BYTES = 65_507;

/** Size of the echo payload's string, the "4 KiB echo". */
export const ECHO_BYTES = 4096;

export type TransportName = 'tcp' | 'udp';
export type PayloadName = 'add' | 'add-once' | 'echo-4k';
export type Implementation = 'raw' | 'volley';

/** What one call sends: the procedure for Volley, the op for raw, and the same body for both. */
export interface Payload {
  readonly name: PayloadName;
  readonly label: string;
  readonly procedure: 'add' | 'addOnce' | 'echo';
  readonly rawOp: RawOp;
  readonly body: { a: number; b: number } | { message: string };
  /** Transports the payload runs on; all when absent. */
  readonly transports?: readonly TransportName[];
}

export const PAYLOADS: readonly Payload[] = [
  { name: 'add', label: '{a, b} → {sum}', procedure: 'add', rawOp: RAW_OP.add, body: { a: 20, b: 22 } },
  // The same call, not idempotent: the raw baseline is the same `add`, so the ratio shows what
  // at-most-once execution (the server's reply cache) costs. UDP only: streams need no cache.
  { name: 'add-once', label: '{a, b} → {sum}, non-idempotent', procedure: 'addOnce', rawOp: RAW_OP.add, body: { a: 20, b: 22 }, transports: ['udp'] },
  { name: 'echo-4k', label: '4 KiB echo', procedure: 'echo', rawOp: RAW_OP.echo, body: { message: 'v'.repeat(ECHO_BYTES) } },
];

export const TRANSPORTS: readonly TransportName[] = ['tcp', 'udp'];

/** One cell of the matrix: a transport, a payload and a number of calls in flight. */
export interface Scenario {
  readonly transport: TransportName;
  readonly payload: Payload;
  readonly outstanding: number;
  /** `tcp add x64`, for progress lines and `BENCH_FILTER`. */
  readonly id: string;
}

/** Every transport × payload × outstanding combination, in print order. */
export function listScenarios(outstandings: readonly number[]): Scenario[] {
  const scenarios: Scenario[] = [];
  for (const transport of TRANSPORTS) {
    for (const payload of PAYLOADS) {
      if (payload.transports !== undefined && !payload.transports.includes(transport)) continue;
      for (const outstanding of outstandings) {
        scenarios.push({ transport, payload, outstanding, id: `${transport} ${payload.name} x${outstanding}` });
      }
    }
  }
  return scenarios;
}
