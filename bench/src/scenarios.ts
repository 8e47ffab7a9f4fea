import { ECHO_CHARS } from './constants.js';
import type { AddInput, BenchClient, EchoInput } from './systems/system.js';

/** The payloads a system can run (SystemDefinition.payloads). */
export type PayloadName = 'add' | 'echo-4k';

/** One table of the report: a payload at a number of calls in flight. */
export interface Scenario {
  /** `add-x64`, for `--scenarios`, progress lines and JSON. */
  readonly id: string;
  readonly payload: PayloadName;
  readonly outstanding: number;
}

/** Distinct `a` values `add` cycles through (all positive fixints in msgpack). */
const ADD_VARIANTS = 100;

/** The payloads, in print order. */
export const PAYLOADS: readonly PayloadName[] = ['add', 'echo-4k'];

/** Every payload × outstanding combination, in print order: `add-x1`, `add-x64`, `echo-4k-x1`, … */
export function listScenarios(outstandings: readonly number[]): Scenario[] {
  return PAYLOADS.flatMap((payload) =>
    outstandings.map((outstanding) => ({ id: `${payload}-x${outstanding}`, payload, outstanding })),
  );
}

/** Human title of a scenario, for table headings. */
export function describeScenario(scenario: Scenario): string {
  const what = scenario.payload === 'add' ? '`add` {a, b} → {sum}' : `\`echo\` of a ${ECHO_CHARS}-character string`;
  return `${what}, ${scenario.outstanding} call${scenario.outstanding === 1 ? '' : 's'} outstanding`;
}

/** What a checked call produced: the answer was right, wrong, or the call failed. */
export type CallOutcome = 'ok' | 'wrong' | 'error';

/**
 * A function making the `n`-th call of a payload and checking its answer. `add` varies its input
 * with `n`, so a system that mixed up the replies of concurrent calls would be caught; `a` stays
 * below 128 so it packs in one msgpack byte, as the fixed input of earlier benches did (a float or
 * a growing integer would change the bytes on the wire). Echo sends one string, built once, and
 * compares what comes back with it.
 */
export function createCheckedCall(client: BenchClient, payload: PayloadName): (n: number) => Promise<CallOutcome> {
  if (payload === 'add') {
    return async (n) => {
      const input: AddInput = { a: n % ADD_VARIANTS, b: 22 };
      try {
        const output = await client.add(input);
        return output?.sum === input.a + 22 ? 'ok' : 'wrong';
      } catch {
        return 'error';
      }
    };
  }
  const input: EchoInput = { message: 'v'.repeat(ECHO_CHARS) };
  return async () => {
    try {
      const output = await client.echo(input);
      return output?.message === input.message ? 'ok' : 'wrong';
    } catch {
      return 'error';
    }
  };
}
