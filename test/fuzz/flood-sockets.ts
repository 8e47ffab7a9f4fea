import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { FrameDecoder } from '@volley/wire/internal';

/**
 * Raw sockets for the flood test. Unlike `openRawUdp` / `connectRawTcp` they keep nothing they
 * receive, only counts: the test measures the process RSS, and a queue of 100 000 replies would
 * be counted against the server.
 */

/** A UDP socket on 127.0.0.1 that fires datagrams at one port and counts what comes back. */
export interface UdpFlooder {
  readonly sent: number;
  readonly replies: number;
  readonly sendErrors: number;
  /** Queues one datagram; does not wait for the kernel. */
  send(bytes: Uint8Array): void;
  /** Resolves once every datagram queued so far has been handed to the kernel. */
  flushed(): Promise<void>;
  close(): Promise<void>;
}

export function openUdpFlooder(port: number): Promise<UdpFlooder> {
  const socket = createSocket('udp4');
  let sent = 0;
  let done = 0;
  let replies = 0;
  let sendErrors = 0;
  let waiter: (() => void) | undefined;
  const onSent = (error: Error | null) => {
    done++;
    if (error) sendErrors++;
    if (done === sent) waiter?.();
  };
  socket.on('message', () => void replies++);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: '127.0.0.1', port: 0 }, () => {
      socket.off('error', reject);
      socket.on('error', () => {}); // ICMP unreachable once the server is gone: not the test's concern.
      resolve({
        get sent() {
          return sent;
        },
        get replies() {
          return replies;
        },
        get sendErrors() {
          return sendErrors;
        },
        send(bytes) {
          sent++;
          socket.send(bytes, port, '127.0.0.1', onSent);
        },
        flushed: () =>
          done === sent
            ? Promise.resolve()
            : new Promise<void>((ok) => {
                waiter = () => {
                  waiter = undefined;
                  ok();
                };
              }),
        close: () => new Promise<void>((ok) => socket.close(() => ok())),
      });
    });
  });
}

/** A TCP connection that writes any bytes, reads (and counts) the server's reply frames, keeps nothing. */
export interface TcpFlooder {
  readonly replyFrames: number;
  readonly isClosed: boolean;
  /** Resolves once the socket is fully closed, by either side. */
  readonly closed: Promise<void>;
  /** Writes bytes as they are; resolves at once, or once the socket drains if its buffer is full. */
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export function connectTcpFlooder(port: number): Promise<TcpFlooder> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  let replyFrames = 0;
  let isClosed = false;
  // The server only sends well-formed frames; a failure here would itself be a finding.
  const decoder = new FrameDecoder(() => void replyFrames++);
  socket.on('data', (chunk: Buffer) => {
    const failure = decoder.push(chunk);
    if (failure) throw new Error(`The server sent a broken frame: ${failure.message}`);
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {}); // ECONNRESET when the server drops a stream we broke on purpose.
      resolve({
        get replyFrames() {
          return replyFrames;
        },
        get isClosed() {
          return isClosed;
        },
        closed,
        write: (bytes) =>
          socket.write(bytes) || isClosed
            ? Promise.resolve()
            : new Promise<void>((ok) => {
                const done = () => {
                  socket.off('drain', done);
                  socket.off('close', done);
                  ok();
                };
                socket.on('drain', done);
                socket.on('close', done);
              }),
        close: () => {
          socket.destroy();
          return closed;
        },
      });
    });
  });
}

/** Receive-queue figures of the UDP socket bound to `port` on 127.0.0.1, from /proc/net/udp. */
export interface UdpQueue {
  /** Bytes waiting in the socket's receive queue (kernel accounting, per-datagram overhead included). */
  queuedBytes: number;
  /** Datagrams the kernel dropped because that queue was full. */
  drops: number;
}

/** The socket's queue figures, or undefined where /proc/net/udp does not exist (not Linux). */
export function readUdpQueue(port: number): UdpQueue | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/net/udp', 'utf8');
  } catch {
    return undefined;
  }
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== local) continue;
    const rxQueue = fields[4]?.split(':')[1] ?? '0';
    return { queuedBytes: Number.parseInt(rxQueue, 16), drops: Number(fields[fields.length - 1]) };
  }
  return undefined;
}
