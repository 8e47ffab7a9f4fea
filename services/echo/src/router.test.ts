import { createClient, type VolleyClient } from '@volley/client';
import { createServer, type Server } from '@volley/server';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type EchoRouter, echoRouter } from './router.js';

describe('echo service over UDP', () => {
  let server: Server;
  let client: VolleyClient<EchoRouter>;

  beforeEach(async () => {
    server = createServer({ router: echoRouter, logger: pino({ level: 'silent' }) });
    const bound = await server.listen({ udp: { host: '127.0.0.1', port: 0 } });
    client = createClient<EchoRouter>(`udp://127.0.0.1:${bound.udp?.port}`);
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('echoes, adds and pings', async () => {
    expect(await client.echo({ message: 'hi' })).toEqual({ message: 'hi' });
    expect(await client.add({ a: 1.5, b: 2 })).toEqual({ sum: 3.5 });
    expect((await client.ping()).pong).toBe(true);
  });

  it('stops a slow call when the caller cancels, freeing the server', async () => {
    const controller = new AbortController();
    const call = client.slow({ ms: 30_000 }, { signal: controller.signal });
    await vi.waitFor(() => expect(server.inFlight).toBe(1), { timeout: 5_000 });
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
    await vi.waitFor(() => expect(server.inFlight).toBe(0), { timeout: 5_000 });
    expect(server.stats.cancelled).toBe(1);
  });

  it('completes a short slow call with how long it slept', async () => {
    const { sleptMs } = await client.slow({ ms: 20 });
    expect(sleptMs).toBeGreaterThanOrEqual(19);
  });

  it('fails on purpose with the requested code', async () => {
    await expect(client.fail({ code: 'NOT_FOUND' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'failed on purpose',
    });
  });
});
