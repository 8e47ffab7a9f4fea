/**
 * The UDP client's socket is connect()ed to the server (the kernel filters sources, sends skip
 * address and route lookups). An ICMP port-unreachable then reaches the socket as ECONNREFUSED:
 * it must neither crash nor break the socket, and a server that starts later is reached.
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
  it('survives ICMP port-unreachable and reaches a server that starts later on that port', async () => {
    const port = await freeUdpPort();
    const client = resources.track(createClient(`udp://127.0.0.1:${port}`, { tcpFallback: false, retransmit: { initialRtoMs: 50, minRtoMs: 20 } }));
    // Nothing listens: every datagram draws an ICMP error, every retransmission too.
    expect(await errorOf(client.call('echo.ping', undefined, { timeoutMs: 300 }))).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(client.stats.retransmits).toBeGreaterThan(0);
    const server = createServer({ router: createAppRouter(), logger: pino({ level: 'silent' }) });
    resources.track({ close: () => server.close({ graceMs: 0 }) });
    await server.listen({ udp: { host: '127.0.0.1', port } });
    expect(await client.call('echo.add', { a: 1, b: 2 }, { timeoutMs: 2000 })).toEqual({ sum: 3 });
  });
});
