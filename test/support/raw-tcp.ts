import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder } from '@volley/wire/internal';
import { MessageQueue } from './message-queue.js';

/** A bare TCP connection: writes any bytes, decodes the server's length-prefixed frames. */
export interface RawTcp {
  readonly socket: Socket;
  /** Frame payloads received, in order. */
  readonly frames: MessageQueue<Buffer>;
  /** Resolves when the socket has fully closed (by either side). */
  readonly closed: Promise<void>;
  /** True once `closed` has resolved. */
  readonly isClosed: boolean;
  /** Writes bytes as they are: a header, half a frame, garbage. */
  write(bytes: Uint8Array): void;
  /** Writes `payload` behind a correct 4-byte length header. */
  sendFrame(payload: Uint8Array): void;
  /** Destroys the socket at once (the client vanishing) and waits until it is closed. */
  destroy(): Promise<void>;
  /** The same as `destroy`, for {@link Resources}. */
  close(): Promise<void>;
}

/** Connects to `127.0.0.1:port`; resolves once connected. */
export function connectRawTcp(port: number): Promise<RawTcp> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  const frames = new MessageQueue<Buffer>();
  const decoder = new FrameDecoder((payload) => frames.push(Buffer.from(payload)));
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // ECONNRESET when the server drops us is what some tests provoke; `closed` reports it.
      socket.on('error', () => {});
      resolve({
        socket,
        frames,
        closed,
        get isClosed() {
          return isClosed;
        },
        write: (bytes) => void socket.write(bytes),
        sendFrame: (payload) => void socket.write(encodeFrame(payload)),
        destroy: () => {
          socket.destroy();
          return closed;
        },
        close: () => {
          socket.destroy();
          return closed;
        },
      });
    });
  });
}
