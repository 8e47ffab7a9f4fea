/**
 * The UDP client's socket is connect()ed to the server (the kernel filters sources, sends skip
 * address and route lookups). An ICMP port-unreachable then reaches the socket as ECONNREFUSED:
 * the calls waiting on it fail at once with UNAVAILABLE instead of at their deadline, the
 * process does not crash, the socket stays usable, and a server that starts later is reached.
 */
import { createSocket } from 'node:dgram';
import { createClient } from '@volley/client';
import { createServer } from '@volley/server';
import { createAppRouter } from '@volley/service-app';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { errorOf, Resources } from '../support/index.js';

const resources = new Resources();
afterEach(() => resources.closeAll());

/** A UDP port on loopback with nothing bound to it (bound, read, released). */
async function freeUdpPort(): Promise<number> {
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise<void>((resolve) => probe.close(resolve));
  return port;
}

describe('a connected UDP client socket', () => {
  it('fails a call to a port where nothing listens with UNAVAILABLE, not executed, before its deadline', async () => {
    const port = await freeUdpPort();
    const client = resources.track(createClient(`udp://127.0.0.1:${port}`, { tcpFallback: false }));
    const started = performance.now();
    const error = await errorOf(client.call('echo.ping', undefined, { timeoutMs: 10_000 }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', local: true, notExecuted: true });
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('survives ICMP port-unreachable and reaches a server that starts later on that port', async () => {
    const port = await freeUdpPort();
    const client = resources.track(createClient(`udp://127.0.0.1:${port}`, { tcpFallback: false }));
    expect(await errorOf(client.call('echo.ping', undefined, { timeoutMs: 10_000 }))).toMatchObject({
      code: 'UNAVAILABLE',
      notExecuted: true,
    });
    const server = createServer({ router: createAppRouter(), logger: pino({ level: 'silent' }) });
    resources.track({ close: () => server.close({ graceMs: 0 }) });
    await server.listen({ udp: { host: '127.0.0.1', port } });
    expect(await client.call('echo.add', { a: 1, b: 2 }, { timeoutMs: 2000 })).toEqual({ sum: 3 });
  });

  it('fails a call whose first transmission reached a server that then died as "may have executed"', async () => {
    // A "server" that takes the request and dies without a word, as a crashed process would.
    const server = createSocket('udp4');
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const received = new Promise<void>((resolve) => server.once('message', () => server.close(() => resolve())));
    const client = resources.track(createClient(`udp://127.0.0.1:${server.address().port}`, { tcpFallback: false }));
    const outcome = errorOf(client.call('echo.ping', undefined, { timeoutMs: 10_000 }));
    await received;
    // The port is closed now: the first retransmission draws the ICMP error.
    expect(await outcome).toMatchObject({ code: 'UNAVAILABLE', notExecuted: false });
    expect(client.stats.retransmits).toBeGreaterThan(0);
  });
});
