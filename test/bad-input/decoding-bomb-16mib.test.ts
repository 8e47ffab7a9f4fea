/**
 * Issue 13 item 1 at the issue's own size: 16 MiB bombs, with the frame limit raised to 16 MiB
 * (the default before issue 13). decoding-bomb.test.ts sends 4 MiB bombs, which a good client
 * survived even before the fix (each round stalled the server ~1.5 s, under its 2 s deadline);
 * at 16 MiB each bomb decoded whole stalls the server for seconds, so this test tells the
 * structure scan from its absence.
 *
 * In a file of its own: it measures the growth of this process's peak RSS (`maxRSS`, a
 * high-water mark, so garbage collection timing cannot hide a peak), and vitest's forks pool
 * gives each file a fresh process whose high-water mark no earlier test raised.
 */
import { createClient } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRawTcp, decodeResponse, Resources, startTestServer } from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

const FRAME_LIMIT_BYTES = 16 * 1024 * 1024;
/** The criterion: 99 % of a good client's calls within a 2 s deadline. */
const GOOD_DEADLINE_MS = 2_000;
const ATTACKERS = 3;
const ROUNDS = 2;
/**
 * Peak RSS growth allowed while six 16 MiB bombs arrive. Each refused bomb costs its frame (the
 * chunks read, then one copy) on the server and its encoded frame on the attacker's side, all in
 * this process: about 3 × (32 + 16) MiB at once. Measured on 2 shared cores: +142–162 MiB with the
 * scan (every good call answered, the slowest in 80–123 ms); with `decodeLimits: false` each bomb
 * decoded into 16.7 M objects, the peak grew by 2.5 GiB, the attack lasted 22–45 s and the good
 * client lost 5 of 97 and 3 of 13 calls started during the attack (95 %, 77 %) in two runs.
 */
const PEAK_RSS_GROWTH_LIMIT_BYTES = 512 * 1024 * 1024;
/** Bounds a hang, not a timing check: without the scan a round took 11–22 s. */
const ROUND_WAIT_MS = 60_000;

/**
 * The repro, `[0, msgid, method, [[{}, {}, …]]]` with one byte `0x80` per empty map, as
 * `94 00 <msgid> <method> 91 dd <u32 n>` then n bytes of `80`, filling `bytes`. The method must be
 * one the server has: a large request to an unknown method (the issue's `"x"`) is refused
 * NOT_FOUND unread, with or without the decode limits, so it would not exercise them.
 */
function bombPayload(bytes: number, method: string, msgid: number): Buffer {
  const head = Buffer.from([0x94, 0x00, msgid, 0xa0 | method.length, ...Buffer.from(method), 0x91, 0xdd, 0, 0, 0, 0]);
  const payload = Buffer.alloc(bytes, 0x80);
  head.copy(payload);
  payload.writeUInt32BE(bytes - head.length, head.length - 4);
  return payload;
}

describe('16 MiB decoding bombs with the frame limit raised to 16 MiB', () => {
  it(
    'from three connections at once are refused PAYLOAD_TOO_LARGE while a good client keeps ≥ 99 % of its calls within 2 s, and the peak RSS stays bounded',
    async () => {
      const app = open.track(await startTestServer({ tcp: { maxFrameBytes: FRAME_LIMIT_BYTES } }));
      const good = open.track(createClient<AppRouter>(app.tcpUrl, { timeoutMs: GOOD_DEADLINE_MS }));
      await good.echo.ping();
      const attackers = await Promise.all(
        Array.from({ length: ATTACKERS }, async () => open.track(await connectRawTcp(app.tcpPort))),
      );
      const bombs = attackers.map((_, i) => bombPayload(FRAME_LIMIT_BYTES, 'echo.echo', i + 1));
      const peakRssBefore = process.resourceUsage().maxRSS * 1024;

      let attacking = true;
      const outcomes: boolean[] = [];
      let slowestMs = 0;
      const goodLoop = (async () => {
        // Calls started while bombs arrive, back to back: fewer than 100 of them must all succeed.
        while (attacking) {
          const sent = performance.now();
          outcomes.push(
            await good.echo.ping().then(
              () => true,
              () => false,
            ),
          );
          slowestMs = Math.max(slowestMs, performance.now() - sent);
        }
      })();

      const codes: (string | undefined)[] = [];
      const started = performance.now();
      try {
        for (let round = 0; round < ROUNDS; round++) {
          for (const [i, attacker] of attackers.entries()) attacker.sendFrame(bombs[i] as Buffer);
          const refusals = await Promise.all(
            attackers.map(async (attacker) => decodeRefusal(await attacker.frames.next(ROUND_WAIT_MS, 'a refusal'))),
          );
          codes.push(...refusals);
        }
      } finally {
        attacking = false;
        await goodLoop;
      }
      const attackMs = performance.now() - started;
      const peakRssGrowth = process.resourceUsage().maxRSS * 1024 - peakRssBefore;
      const succeeded = outcomes.filter(Boolean).length;
      console.log(
        `16 MiB bombs: ${succeeded}/${outcomes.length} good calls within ${GOOD_DEADLINE_MS} ms ` +
          `(slowest ${Math.round(slowestMs)} ms), ` +
          `attack ${Math.round(attackMs)} ms, peak RSS +${Math.round(peakRssGrowth / 2 ** 20)} MiB, answers ${codes.join(',')}`,
      );

      expect(outcomes.length).toBeGreaterThan(0);
      expect(succeeded / outcomes.length).toBeGreaterThanOrEqual(0.99);
      expect(peakRssGrowth).toBeLessThan(PEAK_RSS_GROWTH_LIMIT_BYTES);
      expect(codes).toEqual(new Array(ATTACKERS * ROUNDS).fill('PAYLOAD_TOO_LARGE'));
      expect(app.server.stats.malformed).toBe(ATTACKERS * ROUNDS);
      expect(attackers.every((attacker) => !attacker.isClosed)).toBe(true);
    },
    2 * ROUNDS * ROUND_WAIT_MS,
  );
});

/** A reply's error code, or `'OK'` for a result. */
function decodeRefusal(frame: Buffer): string {
  return decodeResponse(frame).error?.code ?? 'OK';
}
