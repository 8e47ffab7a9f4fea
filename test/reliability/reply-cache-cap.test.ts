/**
 * "The reply cache stays within its byte cap under 100 000 distinct calls", on a real UDP socket.
 */
import { createClient } from '@volley/client';
import { procedure, router } from '@volley/router';
import { createServer, type Server } from '@volley/server';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callsBesidesProbes } from '../support/index.js';

const CAP_BYTES = 256 * 1024;
const CALLS = 100_000;
const CONCURRENCY = 128;

const counterRouter = router({
  // Not idempotent: every reply goes into the reply cache.
  bump: procedure.input(z.object({ n: z.number() })).handler(({ input }) => ({ n: input.n, pad: 'x'.repeat(64) })),
});

describe('the reply cache under 100 000 distinct calls', () => {
  let server: Server | undefined;
  let client: ReturnType<typeof createClient<typeof counterRouter>> | undefined;

  afterEach(async () => {
    await client?.close();
    await server?.close({ graceMs: 0 });
  });

  it('never holds more than its byte cap, counts what it evicts, and answers every call', {
    timeout: 120_000,
  }, async () => {
    server = createServer({
      router: counterRouter,
      logger: pino({ level: 'silent' }),
      replyCache: { maxBytes: CAP_BYTES },
    });
    const bound = await server.listen({ udp: { host: '127.0.0.1', port: 0 } });
    client = createClient<typeof counterRouter>(`udp://127.0.0.1:${bound.udp?.port}`, { tcpFallback: false });
    let peakBytes = 0;
    let next = 0;
    let answered = 0;
    const worker = async () => {
      while (next < CALLS) {
        const n = next++;
        const reply = await client?.bump({ n });
        if (reply?.n === n) answered++;
        if ((n & 1023) === 0) peakBytes = Math.max(peakBytes, server?.stats.replyCacheBytes ?? 0);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const stats = server.stats;
    peakBytes = Math.max(peakBytes, stats.replyCacheBytes);

    expect(answered).toBe(CALLS);
    expect(callsBesidesProbes(server)).toBe(CALLS);
    expect(peakBytes).toBeGreaterThan(CAP_BYTES / 2);
    expect(peakBytes).toBeLessThanOrEqual(CAP_BYTES);
    // Every reply was stored; those gone are evicted (counted) or, on a slow machine, expired.
    expect(stats.replyCacheEvictions).toBeGreaterThan(0);
    expect(stats.replyCacheEvictions).toBeLessThanOrEqual(CALLS - stats.replyCacheEntries);
  });
});
