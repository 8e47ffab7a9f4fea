import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requireHostPort } from '../address.js';
import type { RunningServer } from '../system.js';
import { createRawPackr, RAW_OP } from './raw-protocol.js';
import { startServer } from './raw-tcp-server.js';

let server: RunningServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('raw TCP server framing', () => {
  it('reassembles frames split across chunks and coalesces replies into one write', async () => {
    server = await startServer({ host: '127.0.0.1' });
    const { port } = requireHostPort(server.address, 'raw-tcp');
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
    const socket = createConnection({ host: '127.0.0.1', port });
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
