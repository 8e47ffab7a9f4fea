import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageQueue } from './message-queue.js';
import { openRawUdp, type RawUdp } from './raw-udp.js';
import { Resources } from './resources.js';
import { type FaultSettings, startUdpFaultRelay, type UdpFaultRelay } from './udp-fault-relay.js';
import { waitFor } from './wait-for.js';

const open = new Resources();
afterEach(() => open.closeAll());

const DATAGRAMS = 200;

/** A UDP echo server on 127.0.0.1:0 that records what it got and sends each datagram straight back. */
async function startEchoServer() {
  const socket = createSocket('udp4');
  const received = new MessageQueue<Buffer>();
  socket.on('message', (bytes, from) => {
    received.push(bytes);
    socket.send(bytes, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind({ address: '127.0.0.1', port: 0 }, resolve));
  return {
    port: socket.address().port,
    received,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Datagram `i` is the 4-byte big-endian number i, so order and identity can be read back. */
function numbered(i: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(i);
  return bytes;
}

async function setup(faults: { toServer?: FaultSettings; toClient?: FaultSettings }, seed = 42) {
  const server = open.track(await startEchoServer());
  const relay = open.track(await startUdpFaultRelay({ serverPort: server.port, seed, ...faults }));
  const client = open.track(await openRawUdp(relay.port));
  return { server, relay, client };
}

/** Sends datagrams 0..count-1 one by one (loopback keeps one socket's datagrams in order). */
async function sendNumbered(client: RawUdp, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await client.send(numbered(i));
}

/** Waits until the relay has read all `count` datagrams and settled what it forwards. */
async function settle(relay: UdpFaultRelay, count: number): Promise<void> {
  await waitFor(() => relay.stats.toServer.received === count, { what: `the relay to read ${count} datagrams` });
}

describe('the UDP fault relay', () => {
  it('relays both ways without faults, each reply back to the client that asked', async () => {
    const { server, relay, client } = await setup({});
    const other = open.track(await openRawUdp(relay.port));

    await client.send(Buffer.from('first'));
    await other.send(Buffer.from('second'));

    expect((await client.received.next()).toString()).toBe('first');
    expect((await other.received.next()).toString()).toBe('second');
    expect(server.received.all.map(String)).toEqual(['first', 'second']);
    expect(relay.clients.map((each) => each.port)).toEqual([client.localPort, other.localPort]);
    expect(relay.stats.toServer).toMatchObject({ received: 2, forwarded: 2, dropped: 0 });
    expect(relay.stats.toClient).toMatchObject({ received: 2, forwarded: 2, dropped: 0 });
  });

  it('drops the same datagrams on every run with the same seed', async () => {
    const runs = [];
    for (const seed of [7, 7, 8]) {
      const { server, relay, client } = await setup({ toServer: { dropPercent: 50 } }, seed);
      await sendNumbered(client, DATAGRAMS);
      await settle(relay, DATAGRAMS);
      await waitFor(() => server.received.all.length === relay.stats.toServer.forwarded, {
        what: 'forwarded datagrams to arrive',
      });
      runs.push({
        counters: { ...relay.stats.toServer },
        arrived: server.received.all.map((bytes) => bytes.readUInt32BE(0)),
      });
    }
    const [first, again, otherSeed] = runs;

    expect(first?.counters.dropped).toBeGreaterThan(DATAGRAMS * 0.3);
    expect(first?.counters.dropped).toBeLessThan(DATAGRAMS * 0.7);
    expect(first?.counters.forwarded).toBe(DATAGRAMS - (first?.counters.dropped ?? 0));
    expect(again).toEqual(first);
    expect(otherSeed?.arrived).not.toEqual(first?.arrived);
  });

  it('duplicates the same datagrams on every run with the same seed, in both directions', async () => {
    const counts = [];
    for (const seed of [11, 11]) {
      const { server, relay, client } = await setup(
        { toServer: { duplicatePercent: 30 }, toClient: { duplicatePercent: 30 } },
        seed,
      );
      await sendNumbered(client, DATAGRAMS);
      await settle(relay, DATAGRAMS);
      const toServer = DATAGRAMS + relay.stats.toServer.duplicated;
      await waitFor(() => server.received.all.length === toServer, { what: 'every copy to reach the server' });
      await waitFor(() => client.received.all.length === toServer + relay.stats.toClient.duplicated, {
        what: 'every copy to reach the client',
      });
      counts.push({ toServer: { ...relay.stats.toServer }, toClient: { ...relay.stats.toClient } });
    }

    expect(counts[0]?.toServer.duplicated).toBeGreaterThan(0);
    expect(counts[0]?.toClient.duplicated).toBeGreaterThan(0);
    expect(counts[1]).toEqual(counts[0]);
  });

  it('swaps a held datagram with the next one', async () => {
    const { server, relay, client } = await setup({ toServer: { reorderPercent: 100 } });

    await sendNumbered(client, 6);
    await waitFor(() => server.received.all.length === 6, { what: 'six datagrams at the server' });

    expect(server.received.all.map((bytes) => bytes.readUInt32BE(0))).toEqual([1, 0, 3, 2, 5, 4]);
    expect(relay.stats.toServer.reordered).toBe(3);
  });

  it('delays every datagram and still delivers each exactly once', async () => {
    const { server, relay, client } = await setup({ toClient: { delayMs: [1, 30] } });

    await sendNumbered(client, 50);
    await waitFor(() => client.received.all.length === 50, { what: 'fifty delayed replies' });

    expect(relay.stats.toClient.delayed).toBe(50);
    expect(client.received.all.map((bytes) => bytes.readUInt32BE(0)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(server.received.all).toHaveLength(50);
  });

  it('injects datagrams to a client from its own port, so they pass a source check', async () => {
    const { relay, client } = await setup({});
    await client.send(Buffer.from('hello'));
    await client.received.next();
    const sources: number[] = [];
    const listener = open.track(await bindListener());
    listener.socket.on('message', (_bytes, from) => sources.push(from.port));
    await listener.send(relay.port);
    await waitFor(() => relay.clients.length === 2, { what: 'the relay to see the listener' });

    await relay.injectToClient(Buffer.from('forged'), relay.clients[1]);
    await waitFor(() => sources.length === 2, { what: 'the echo and the injected datagram' });

    expect(sources).toEqual([relay.port, relay.port]);
    expect(relay.stats.toClient.forwarded).toBe(2);
  });

  it('discards delayed datagrams on close and closes every socket', async () => {
    const { server, relay, client } = await setup({ toServer: { delayMs: [10_000, 10_000] } });
    await client.send(Buffer.from('never'));
    await waitFor(() => relay.stats.toServer.delayed === 1, { what: 'the datagram to be delayed' });

    await relay.close();
    await relay.close();

    expect(server.received.all).toEqual([]);
    await expect(relay.injectToClient(Buffer.from('late'))).rejects.toThrow();
  });

  it('lets a held datagram go on alone when no later one comes', async () => {
    const { server, relay, client } = await setup({ toServer: { reorderPercent: 100 } });

    await client.send(numbered(9));

    expect((await server.received.next()).readUInt32BE(0)).toBe(9);
    expect(relay.stats.toServer).toMatchObject({ forwarded: 1, reordered: 0 });
  });
});

/** A bare socket that records sources (raw-udp's queue keeps only bytes). */
async function bindListener(): Promise<{ socket: Socket; send(port: number): Promise<void>; close(): Promise<void> }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind({ address: '127.0.0.1', port: 0 }, resolve));
  return {
    socket,
    send: (port) => new Promise((resolve) => socket.send(Buffer.from('hi'), port, '127.0.0.1', () => resolve())),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
