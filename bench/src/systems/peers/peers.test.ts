import { afterEach, describe, expect, it } from 'vitest';
import { PEER_SYSTEMS } from '../peers.js';
import type { BenchClient, ClientModule, RunningServer, ServerModule } from '../system.js';

const ECHO_MESSAGE = 'x'.repeat(4096);
const CONCURRENT_CALLS = 64;

let opened: { close(): Promise<void> }[] = [];

afterEach(async () => {
  // Clients first, so servers never wait on a connection a client still holds.
  const toClose = opened.reverse();
  opened = [];
  for (const resource of toClose) await resource.close();
});

async function start(system: (typeof PEER_SYSTEMS)[number]): Promise<BenchClient> {
  const { startServer } = (await import(system.serverModule.href)) as ServerModule;
  const { connectClient } = (await import(system.clientModule.href)) as ClientModule;
  const server: RunningServer = await startServer({ host: '127.0.0.1' });
  opened.push(server);
  const client = await connectClient(server.address);
  opened.push(client);
  return client;
}

describe.each(PEER_SYSTEMS.map((system) => [system.id, system] as const))('peer %s', (_id, system) => {
  it('adds 2 and 3 into {sum: 5}', async () => {
    const client = await start(system);
    expect(await client.add({ a: 2, b: 3 })).toEqual({ sum: 5 });
  });

  it('echoes a 4096-character message back unchanged', async () => {
    const client = await start(system);
    expect(await client.echo({ message: ECHO_MESSAGE })).toEqual({ message: ECHO_MESSAGE });
  });

  it('answers 64 concurrent adds on one client, each with its own sum', async () => {
    const client = await start(system);
    const sums = await Promise.all(Array.from({ length: CONCURRENT_CALLS }, (_, i) => client.add({ a: i, b: 0.5 })));
    expect(sums).toEqual(Array.from({ length: CONCURRENT_CALLS }, (_, i) => ({ sum: i + 0.5 })));
  });
});

it('lists the four peers, each measured against raw TCP', () => {
  expect(PEER_SYSTEMS.map((system) => [system.id, system.group, system.baseline])).toEqual([
    ['grpc', 'peer', 'raw-tcp'],
    ['trpc', 'peer', 'raw-tcp'],
    ['msgpack5rpc', 'peer', 'raw-tcp'],
    ['fastify', 'peer', 'raw-tcp'],
  ]);
});
