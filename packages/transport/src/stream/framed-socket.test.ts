import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { FrameDecoder } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { createTransportStats } from '../types.js';
import { FramedSocket, MAX_BYTES_PER_WRITE, MAX_FRAMES_PER_WRITE } from './framed-socket.js';

const open: Array<Server | Socket> = [];

afterEach(async () => {
  // Sockets first: a server closes only once its connections are gone.
  for (const handle of open.splice(0).reverse()) {
    if ('destroy' in handle) handle.destroy();
    else await new Promise((resolve) => handle.close(resolve));
  }
});

/** A FramedSocket on a real loopback connection, its `write` calls counted, and the frames the peer decodes. */
async function framedPair() {
  const received: Buffer[] = [];
  const server = createServer((peer) => {
    open.push(peer);
    const decoder = new FrameDecoder((frame) => {
      received.push(Buffer.from(frame));
    });
    peer.on('data', (chunk: Buffer) => decoder.push(chunk));
  });
  open.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const socket = connect({ host: '127.0.0.1', port });
  open.push(socket);
  await once(socket, 'connect');
  const writes: number[] = [];
  const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
  socket.write = ((chunk: Buffer) => {
    writes.push(chunk.length);
    return write(chunk);
  }) as typeof socket.write;
  const framed = new FramedSocket(socket, { maxFrameBytes: 1 << 20, stats: createTransportStats(), onFrame: () => {}, onClose: () => {}, pauseReadingWhenCongested: false });
  return { framed, writes, received };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('FramedSocket write batching', () => {
  it('holds a few frames until the end of the turn, then writes them at once', async () => {
    const { framed, writes, received } = await framedPair();
    for (let i = 0; i < 5; i++) framed.send(Buffer.from([i]));
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual([5 * 5]);
    await expect.poll(() => received.length).toBe(5);
  });

  it(`writes every ${MAX_FRAMES_PER_WRITE} frames without waiting for the turn to end, in order`, async () => {
    const { framed, writes, received } = await framedPair();
    const count = 2 * MAX_FRAMES_PER_WRITE + 8;
    for (let i = 0; i < count; i++) framed.send(Buffer.from([i]));
    // The peer can start on the first batches while this end is still producing.
    expect(writes).toEqual([MAX_FRAMES_PER_WRITE * 5, MAX_FRAMES_PER_WRITE * 5]);
    await turn();
    expect(writes).toEqual([MAX_FRAMES_PER_WRITE * 5, MAX_FRAMES_PER_WRITE * 5, 8 * 5]);
    await expect.poll(() => received.length).toBe(count);
    expect(received.map((frame) => frame[0])).toEqual([...Array(count).keys()]);
  });

  it(`writes once ${MAX_BYTES_PER_WRITE / 1024} KiB wait, however few frames`, async () => {
    const { framed, writes, received } = await framedPair();
    framed.send(Buffer.alloc(100));
    framed.send(Buffer.alloc(MAX_BYTES_PER_WRITE));
    expect(writes).toEqual([104 + MAX_BYTES_PER_WRITE + 4]);
    framed.send(Buffer.alloc(10));
    await turn();
    expect(writes).toEqual([104 + MAX_BYTES_PER_WRITE + 4, 14]);
    await expect.poll(() => received.map((frame) => frame.length)).toEqual([100, MAX_BYTES_PER_WRITE, 10]);
  });
});
