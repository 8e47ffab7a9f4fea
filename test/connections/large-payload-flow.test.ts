/**
 * Flow control on one stream connection carrying large messages both ways. Found by the bench's
 * payload sweep: with about 8 MiB in flight each way the client stopped reading replies because
 * its own requests were backed up, while the server stopped reading requests because its replies
 * were — and no call ever finished.
 */
import { createClient } from '@volley/client';
import { procedure, router } from '@volley/router';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Resources, startTestServer } from '../support/index.js';

const resources = new Resources();
afterEach(() => resources.closeAll());

const echo = router({
  echo: procedure
    .input(z.string())
    .output(z.string())
    .idempotent()
    .handler(({ input }) => input),
});

describe('large messages in flight on one connection', () => {
  it.each([
    [16, 1024 * 1024],
    [128, 64 * 1024],
  ])('completes %i concurrent echoes of %i bytes over TCP', { timeout: 60_000 }, async (count, bytes) => {
    const server = resources.track(await startTestServer({ router: echo }));
    const client = resources.track(createClient(server.tcpUrl, { timeoutMs: 30_000 }));
    const payloads = Array.from({ length: count }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(bytes));
    const replies = await Promise.all(payloads.map((payload) => client.call('echo', payload)));
    expect(replies.every((reply, i) => reply === payloads[i])).toBe(true);
  });
});
