import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { encodeAddDatagram, readDatagramReply } from './wire-requests.js';

/** Options for {@link callAsDistinctClients}. */
export interface DistinctClientsOptions {
  port: number;
  host?: string;
  /** `addOnce` (non-idempotent: every reply is kept in the reply cache) or `add` (not kept). */
  procedure: 'add' | 'addOnce';
  /** Calls to make, each from its own 8-byte client id. */
  count: number;
  /** Requests awaiting replies at once: enough to keep the server busy, few enough that its socket buffer never overflows. */
  inFlight: number;
  /** Deadline sent in meta `d`; the server keeps each reply for this plus 5 s. */
  deadlineMs: number;
  /** Give up when not every call has an answer after this long. */
  timeoutMs?: number;
}

/** What a run of distinct clients saw. */
export interface DistinctClientsResult {
  answered: number;
  /** Requests sent again after 200 ms without a reply (datagram loss). */
  resends: number;
  /** Replies that carried an error, by code. */
  errors: Record<string, number>;
  elapsedMs: number;
}

/** A request unanswered this long is sent again with the next attempt (loopback RTTs are far below). */
const RESEND_AFTER_MS = 200;
const RESEND_SWEEP_MS = 50;
/** Kernel buffers asked for, as the Volley server asks for its own (4 MiB). */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * Makes `count` UDP calls, each as a different client: client id = 4 random bytes then the call's
 * index (uint32 BE), msgid = the index. One socket sends them all, which the server cannot tell
 * from `count` clients: it keys UDP calls and cached replies by client id, not by address
 * (docs/protocol.md §5.3). A resent request keeps its client id and msgid, so a reply the server
 * already cached is resent from the cache, never run or stored twice.
 */
export function callAsDistinctClients(options: DistinctClientsOptions): Promise<DistinctClientsResult> {
  const host = options.host ?? '127.0.0.1';
  const prefix = randomBytes(4);
  const pending = new Map<number, { sentAt: number; attempt: number }>();
  const errors: Record<string, number> = {};
  const socket = createSocket('udp4');
  const started = performance.now();
  let next = 0;
  let answered = 0;
  let resends = 0;

  const send = (index: number, attempt: number) => {
    const clientId = Buffer.allocUnsafe(8);
    prefix.copy(clientId, 0);
    clientId.writeUInt32BE(index, 4);
    pending.set(index, { sentAt: performance.now(), attempt });
    socket.send(encodeAddDatagram(options.procedure, index, clientId, attempt, options.deadlineMs), options.port, host);
  };

  return new Promise<DistinctClientsResult>((resolve, reject) => {
    const sweep = setInterval(() => {
      const now = performance.now();
      for (const [index, call] of pending) {
        if (now - call.sentAt < RESEND_AFTER_MS) continue;
        resends++;
        send(index, call.attempt + 1);
      }
    }, RESEND_SWEEP_MS);
    const deadline = setTimeout(
      () =>
        finish(
          new Error(
            `${answered} of ${options.count} calls answered after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`,
          ),
        ),
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    const finish = (error?: Error) => {
      clearInterval(sweep);
      clearTimeout(deadline);
      socket.close();
      if (error) reject(error);
      else resolve({ answered, resends, errors, elapsedMs: performance.now() - started });
    };

    socket.on('error', (error) => finish(error));
    socket.on('message', (datagram) => {
      const reply = readDatagramReply(datagram);
      if (reply === undefined || !pending.has(reply.msgid)) return;
      pending.delete(reply.msgid);
      answered++;
      if (reply.errorCode !== undefined) errors[reply.errorCode] = (errors[reply.errorCode] ?? 0) + 1;
      if (next < options.count) send(next++, 1);
      else if (pending.size === 0) finish();
    });
    socket.bind({ address: '127.0.0.1', port: 0 }, () => {
      socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
      socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
      while (next < Math.min(options.inFlight, options.count)) send(next++, 1);
      if (options.count === 0) finish();
    });
  });
}
