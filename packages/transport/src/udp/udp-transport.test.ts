import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatagramChannel } from '../types.js';
import { createUdpTransport, type UdpTransport } from './udp-transport.js';

let transport: UdpTransport | undefined;
let client: Socket | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await transport?.close();
  transport = undefined;
});

/** Starts a UDP transport on loopback and returns the channel of the first datagram `bytes` draws. */
async function channelFor(bytes: number): Promise<DatagramChannel> {
  transport = createUdpTransport({ host: '127.0.0.1', port: 0 });
  let deliver: (channel: DatagramChannel) => void = () => {};
  const arrived = new Promise<DatagramChannel>((resolve) => {
    deliver = resolve;
  });
  const { port } = await transport.listen({
    onMessage: (_message, channel) => channel.mode === 'datagram' && deliver(channel),
  });
  client = createSocket('udp4');
  client.send(Buffer.alloc(bytes), port, '127.0.0.1');
  return arrived;
}

describe('a datagram channel holds its sender’s anti-amplification budget', () => {
  it('sends up to 3× the datagram in all, refuses the rest and counts it', async () => {
    const channel = await channelFor(10);
    expect(channel.sendBudget).toBe(30);

    expect(channel.send(Buffer.alloc(20))).toBe(true);
    expect(channel.sendBudget).toBe(10);
    expect(channel.send(Buffer.alloc(11))).toBe(false);
    expect(channel.send(Buffer.alloc(10))).toBe(true);
    expect(transport?.stats.amplificationRefused).toBe(1);
    expect(transport?.stats.messagesOut).toBe(2);
  });

  it('lifts the budget once the sender proved its address', async () => {
    const channel = await channelFor(10);
    channel.validate();

    expect(channel.sendBudget).toBe(Number.POSITIVE_INFINITY);
    expect(channel.send(Buffer.alloc(1_000))).toBe(true);
  });
});
