import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRawPackr, RAW_OP } from './raw-protocol.js';
import { connectRawTcp, type RawClient } from './raw-tcp-client.js';
import { startRawTcpServer, type RawTcpServer } from './raw-tcp-server.js';
import { connectRawUdp } from './raw-udp-client.js';
import { startRawUdpServer, type RawUdpServer } from './raw-udp-server.js';

let server: RawTcpServer | RawUdpServer | undefined;
let client: RawClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

describe('raw TCP baseline', () => {
  it('answers 64 concurrent calls on one connection, each with its own reply', async () => {
    server = await startRawTcpServer();
    const raw = await connectRawTcp(server.port);
    client = raw;
    const replies = await Promise.all(Array.from({ length: 64 }, (_, i) => raw.call(RAW_OP.add, { a: i, b: 1000 })));
    expect(replies).toEqual(Array.from({ length: 64 }, (_, i) => ({ sum: i + 1000 })));
  });

  it('echoes a 4 KiB message intact', async () => {
    server = await startRawTcpServer();
    const raw = await connectRawTcp(server.port);
    client = raw;
    const message = 'abcd'.repeat(1024);
    expect(await raw.call(RAW_OP.echo, { message })).toEqual({ message });
  });

  it('reassembles frames split across chunks and coalesces replies into one write', async () => {
    const tcp = await startRawTcpServer();
    server = tcp;
    const packr = createRawPackr();
    const frames = [1, 2, 3].map((id) => {
      const payload = packr.pack([id, RAW_OP.add, { a: id, b: id }]);
      const frame = Buffer.alloc(4 + payload.length);
      frame.writeUInt32BE(payload.length, 0);
      payload.copy(frame, 4);
      return frame;
    });
    const bytes = Buffer.concat(frames);
    const expectedBytes = [1, 2, 3].reduce((total, id) => total + 4 + packr.pack([id, { sum: 2 * id }]).length, 0);
    const socket = createConnection({ host: '127.0.0.1', port: tcp.port });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const chunks: Buffer[] = [];
    const received = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (Buffer.concat(chunks).length >= expectedBytes) resolve();
      });
    });
    // One byte, then the rest in one go: the header itself straddles two chunks.
    socket.write(bytes.subarray(0, 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write(bytes.subarray(1));
    await received;
    socket.destroy();
    const out = Buffer.concat(chunks);
    const replies: unknown[] = [];
    for (let offset = 0; offset < out.length; ) {
      const length = out.readUInt32BE(offset);
      replies.push(packr.unpack(out.subarray(offset + 4, offset + 4 + length)));
      offset += 4 + length;
    }
    expect(replies).toEqual([
      [1, { sum: 2 }],
      [2, { sum: 4 }],
      [3, { sum: 6 }],
    ]);
    expect(chunks).toHaveLength(1);
  });
});

describe('raw UDP baseline', () => {
  it('answers 64 concurrent calls, each matched to its own reply', async () => {
    server = await startRawUdpServer();
    const raw = await connectRawUdp(server.port);
    client = raw;
    const replies = await Promise.all(Array.from({ length: 64 }, (_, i) => raw.call(RAW_OP.add, { a: i, b: -1 })));
    expect(replies).toEqual(Array.from({ length: 64 }, (_, i) => ({ sum: i - 1 })));
  });

  it('echoes a 4 KiB message in one datagram', async () => {
    server = await startRawUdpServer();
    const raw = await connectRawUdp(server.port);
    client = raw;
    const message = 'wxyz'.repeat(1024);
    expect(await raw.call(RAW_OP.echo, { message })).toEqual({ message });
    expect(raw.resends).toBe(0);
  });
});
