import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientConnection } from '../types.js';
import { connectUdp } from './connect-udp.js';

/** A UDP port on loopback with nothing bound to it (bound, read, released). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

let connection: ClientConnection | undefined;
afterEach(() => connection?.close());

describe('a connected client UDP socket aimed at a closed port', () => {
  it('reports the ICMP port-unreachable of two datagrams sent in one tick, which the second send consumes', async () => {
    const port = await freeUdpPort();
    const unreachable = new Promise<NodeJS.ErrnoException>((resolve) => {
      void connectUdp(
        { host: '127.0.0.1', port },
        { onMessage: () => {}, onClose: () => {}, onUnreachable: (error) => resolve(error) },
      ).then((opened) => {
        connection = opened;
        opened.send(Buffer.from([0xc0]));
        opened.send(Buffer.from([0xc0]));
      });
    });
    expect(await unreachable).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
