import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DatagramChannel, ServerTransport } from '../types.js';
import { MemoryNetwork } from './memory-network.js';
import { createMemoryTransport } from './memory-transport.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
  vi.useRealTimers();
});

/** A datagram endpoint `name` on `network` that records what arrives, and a client socket aimed at it. */
async function endpoint(network: MemoryNetwork, name = 'dgram') {
  const channels: DatagramChannel[] = [];
  const arrived: string[] = [];
  const server: ServerTransport = createMemoryTransport({ name, network });
  open.push(server);
  await server.listen({
    onMessage(message, channel) {
      if (channel.mode !== 'datagram') throw new Error('expected a datagram channel');
      channels.push(channel);
      arrived.push(message.toString());
    },
  });
  const replies: string[] = [];
  const unreachable: Error[] = [];
  const client = await network.connect(
    name,
    { onMessage: (m) => replies.push(m.toString()), onClose() {}, onUnreachable: (e) => unreachable.push(e) },
    65_536,
  );
  open.push(client);
  return { server, channels, arrived, client, replies, unreachable };
}

/** Lets queued microtasks run (delivery without delay). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('a datagram memory network', () => {
  it('carries datagrams both ways through channels of mode datagram and kind memory', async () => {
    const { channels, arrived, client, replies } = await endpoint(new MemoryNetwork({ mode: 'datagram' }));
    expect(client.mode).toBe('datagram');
    client.send(Buffer.from('ping'));
    await flush();
    expect(arrived).toEqual(['ping']);
    expect(channels[0]).toMatchObject({
      kind: 'memory',
      mode: 'datagram',
      peer: { transport: 'memory', address: 'client-1', port: 1 },
    });
    channels[0]?.send(Buffer.from('pong'));
    await flush();
    expect(replies).toEqual(['pong']);
  });

  it('budgets replies to 3× the datagram until the sender is validated, as UDP does', async () => {
    const { channels, client } = await endpoint(new MemoryNetwork({ mode: 'datagram' }));
    client.send(Buffer.alloc(10));
    await flush();
    const channel = channels[0] as DatagramChannel;
    expect(channel.sendBudget).toBe(30);
    expect(channel.send(Buffer.alloc(20))).toBe(true);
    expect(channel.send(Buffer.alloc(11))).toBe(false);
    channel.validate();
    expect(channel.sendBudget).toBe(Number.POSITIVE_INFINITY);
    expect(channel.send(Buffer.alloc(1000))).toBe(true);
  });

  it('refuses datagrams over the network’s limit on both sides', async () => {
    const { channels, client } = await endpoint(new MemoryNetwork({ mode: 'datagram', maxDatagramBytes: 100 }));
    expect(client.maxMessageBytes).toBe(100);
    expect(client.send(Buffer.alloc(101))).toBe(false);
    expect(client.send(Buffer.alloc(100))).toBe(true);
    await flush();
    (channels[0] as DatagramChannel).validate();
    expect(channels[0]?.send(Buffer.alloc(101))).toBe(false);
  });

  it('tells the sender when nothing listens at the address, as ICMP port-unreachable would', async () => {
    const network = new MemoryNetwork({ mode: 'datagram' });
    const { server, client, unreachable } = await endpoint(network);
    await server.close();
    expect(client.send(Buffer.from('anyone?'))).toBe(true);
    await flush();
    expect(unreachable.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ECONNREFUSED']);
  });

  it('loses, duplicates and reorders as its seeded faults say, holding copies back on (fake) timers', async () => {
    vi.useFakeTimers();
    const network = new MemoryNetwork({ mode: 'datagram' });
    const { arrived, client } = await endpoint(network);
    // Draws: #1 reorder (0.1 < 0.5) by 1 + floor(0.5 × 10) = 6 ms; #2 lost (0.05 < 0.1); #3 on time.
    const draws = [0.5, 0.1, 0.5, 0.05, 0.5, 0.9];
    network.faults = { loss: 0.1, reorder: 0.5, maxDelayMs: 10, random: () => draws.shift() ?? 0.99 };
    for (const text of ['1', '2', '3']) client.send(Buffer.from(text));
    await vi.advanceTimersByTimeAsync(0);
    expect(arrived).toEqual(['3']);
    await vi.advanceTimersByTimeAsync(6);
    expect(arrived).toEqual(['3', '1']);
    expect(network.faultStats).toEqual({ sent: 3, lost: 1, duplicated: 0, reordered: 1, delivered: 2 });
  });

  it('rejects fault settings on a stream network', () => {
    expect(() => new MemoryNetwork().faultStats).toThrow(TypeError);
  });
});
