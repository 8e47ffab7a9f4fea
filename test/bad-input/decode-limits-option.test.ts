/**
 * Issue 13 item 1: `createServer({ decodeLimits })` as a real server applies it, over real sockets.
 * The scan itself is unit-tested in packages/wire (structure-scan.test.ts); here a tighter cap
 * refuses what the default accepts, a looser one (security.md's advice for dense tiny
 * containers) accepts what the default refuses, and `false` turns the check off.
 */
import { createClient } from '@volley/client';
import { procedure, router } from '@volley/router';
import type { DecodeLimits } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorOf, Resources, startTestServer } from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

let runs = 0;
/** How deep `value` nests arrays (a plain array is 1). */
function depthOf(value: unknown): number {
  let depth = 0;
  for (let at = value; Array.isArray(at); at = at[0]) depth++;
  return depth;
}
const sinkRouter = router({
  /** Takes any input and says what it got: its length if an array, and how deep it nests. */
  sink: procedure.input(z.unknown()).handler(({ input }) => {
    runs++;
    return { items: Array.isArray(input) ? input.length : -1, depth: depthOf(input) };
  }),
});
type SinkRouter = typeof sinkRouter;

async function serve(decodeLimits?: Partial<DecodeLimits> | false) {
  runs = 0;
  const app = open.track(
    await startTestServer({ router: sinkRouter, server: decodeLimits === undefined ? {} : { decodeLimits } }),
  );
  const tcp = open.track(createClient<SinkRouter>(app.tcpUrl));
  const udp = open.track(createClient<SinkRouter>(app.udpUrl, { retry: { maxAttempts: 1 } }));
  return { app, tcp, udp };
}

/** `[{id}, {id}, …]` with small ids: 5 bytes per object, dense enough to matter to the object cap. */
function records(count: number): { id: number }[] {
  return Array.from({ length: count }, (_, i) => ({ id: i % 100 }));
}

/** `[[[…[text]…]]]`, `depth` arrays deep around a string that makes the message larger than 1 KiB (scanned). */
function nested(depth: number, text = 'x'.repeat(2_000)): unknown {
  let value: unknown = text;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('createServer({ decodeLimits }) on a real server', () => {
  it('a tighter object cap refuses, over TCP, an input the default accepts: PAYLOAD_TOO_LARGE, not executed', async () => {
    const input = records(150); // ~760 bytes: 151 objects, under the default 1024 + 1 per 8 bytes
    const defaults = await serve();
    await expect(defaults.tcp.sink(input)).resolves.toEqual({ items: 150, depth: 1 });

    const { app, tcp } = await serve({ baseObjects: 64, bytesPerObject: 64 });
    const error = await errorOf(tcp.sink(input));

    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', notExecuted: true });
    expect((error as Error).message).toMatch(
      /^Message of \d+ bytes holds over \d+ maps\/arrays\/bin\/ext \(cap 64 \+ bytes\/64\)$/,
    );
    expect(runs).toBe(0);
    expect(app.server.stats.malformed).toBe(1);
    // The connection that carried the refused request goes on serving.
    await expect(tcp.sink([1, 2, 3])).resolves.toEqual({ items: 3, depth: 1 });
  });

  it('a tighter object cap applies to datagrams too, and the UDP client gets the refusal, not a timeout', async () => {
    const { app, udp } = await serve({ baseObjects: 64, bytesPerObject: 64 });

    const error = await errorOf(udp.sink(records(150), { timeoutMs: 2_000 }));

    // Before the refusal echoed the request's client id, the client dropped it as forged
    // (forgedReplies 3: one per transmission) and the call ended DEADLINE_EXCEEDED.
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', notExecuted: true });
    expect(udp.stats.forgedReplies).toBe(0);
    expect(runs).toBe(0);
    expect(app.server.stats.malformedDatagrams).toBe(1);
  });

  it('with the default caps, a UDP request nesting past 128 levels is refused BAD_REQUEST to the client, not timed out', async () => {
    const { udp } = await serve();

    const error = await errorOf(udp.sink(nested(130, 'x'.repeat(900)), { timeoutMs: 2_000 }));

    expect(error).toMatchObject({ code: 'BAD_REQUEST', notExecuted: true, data: { maxDepth: 128 } });
    expect(udp.stats.forgedReplies).toBe(0);
    expect(runs).toBe(0);
  });

  it('a looser object cap (bytesPerObject: 4) accepts dense tiny records the default refuses', async () => {
    const input = records(3_000); // ~15 000 bytes: 3 001 objects, over the default cap of ~2 900
    const defaults = await serve();
    expect(await errorOf(defaults.tcp.sink(input))).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', notExecuted: true });

    const { tcp } = await serve({ bytesPerObject: 4 });

    await expect(tcp.sink(input)).resolves.toEqual({ items: 3_000, depth: 1 });
    expect(runs).toBe(1);
  });

  it('a tighter depth cap refuses an input the default accepts: BAD_REQUEST with the cap', async () => {
    const input = nested(12);
    const defaults = await serve();
    await expect(defaults.tcp.sink(input)).resolves.toEqual({ items: 1, depth: 12 });

    const { tcp } = await serve({ maxDepth: 8 });
    const error = await errorOf(tcp.sink(input));

    expect(error).toMatchObject({
      code: 'BAD_REQUEST',
      notExecuted: true,
      message: 'Message nests deeper than 8 levels of maps and arrays',
      data: { maxDepth: 8 },
    });
    expect(runs).toBe(0);
  });

  it('false turns the check off: an empty-map bomb and nesting past the default depth are decoded and run', async () => {
    const bomb = Array.from({ length: 64 * 1024 }, () => ({}));
    const deep = nested(200);
    const defaults = await serve();
    expect(await errorOf(defaults.tcp.sink(bomb))).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await errorOf(defaults.tcp.sink(deep))).toMatchObject({ code: 'BAD_REQUEST' });

    const { app, tcp } = await serve(false);

    await expect(tcp.sink(bomb)).resolves.toEqual({ items: 64 * 1024, depth: 1 });
    await expect(tcp.sink(deep)).resolves.toEqual({ items: 1, depth: 200 });
    expect(runs).toBe(2);
    expect(app.server.stats.malformed).toBe(0);
  });
});
