import type { Socket } from 'node:net';
import { createServer, type Server } from '@volley/server';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { benchRouter } from '../bench-router.js';
import { closeAll, openIdleConnections } from './idle-connections-client.js';
import { callAsDistinctClients } from './udp-clients.js';

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  closeAll(sockets);
  await server?.close({ graceMs: 0 });
  server = undefined;
});

async function startServer() {
  server = createServer({ router: benchRouter, logger: pino({ level: 'silent' }) });
  return server.listen({ tcp: { host: '127.0.0.1', port: 0 }, udp: { host: '127.0.0.1', port: 0 } });
}

describe('openIdleConnections', () => {
  it('leaves every connection open after its call is answered', async () => {
    const bound = await startServer();
    await openIdleConnections({ port: bound.tcp?.port ?? 0, protocol: 'volley', count: 20, concurrency: 4 }, sockets);
    expect(sockets).toHaveLength(20);
    expect(sockets.every((socket) => !socket.destroyed)).toBe(true);
    expect(server?.stats.calls).toBe(20);
  });
});

describe('callAsDistinctClients', () => {
  it('fills the reply cache with one entry per client id for a non-idempotent procedure', async () => {
    const bound = await startServer();
    const result = await callAsDistinctClients({
      port: bound.udp?.port ?? 0,
      procedure: 'addOnce',
      count: 300,
      inFlight: 32,
      deadlineMs: 60_000,
    });
    expect(result.answered).toBe(300);
    expect(result.errors).toEqual({});
    expect(server?.stats.replyCacheEntries).toBe(300);
  });

  it('keeps nothing in the cache for an idempotent procedure', async () => {
    const bound = await startServer();
    await callAsDistinctClients({
      port: bound.udp?.port ?? 0,
      procedure: 'add',
      count: 100,
      inFlight: 32,
      deadlineMs: 60_000,
    });
    expect(server?.stats.replyCacheEntries).toBe(0);
  });
});
