/**
 * Issue 13, item 5: a connection turned away by `maxConnections` is counted by the transport and
 * reported to the listener as plain data (a code and one line), not as an `Error` with a stack,
 * on TCP and Unix sockets alike (TLS: test/tls/tls-limits.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConnectionRefusal,
  createTcpTransport,
  type PeerAddress,
  type TcpTransportOptions,
} from '@volley/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { Resources, waitFor } from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

/** A listener capped at one connection; its refusals as reported, and its transport's counters. */
async function listenCapped(options: TcpTransportOptions) {
  const transport = open.track(createTcpTransport({ ...options, maxConnections: 1 }));
  const refusals: Array<{ refusal: ConnectionRefusal; peer: PeerAddress | undefined }> = [];
  const errors: Error[] = [];
  const bound = await transport.listen({
    onMessage: () => {},
    onConnectionRefused: (refusal, peer) => void refusals.push({ refusal, peer }),
    onTransportError: (error) => void errors.push(error),
  });
  return { transport, port: bound.port, refusals, errors };
}

/** Connects to `target` and resolves once the socket has closed again; the socket is tracked. */
async function connectAndWaitForClose(target: { port: number; host: string } | { path: string }): Promise<void> {
  const socket = connect(target);
  open.track({ close: () => void socket.destroy() });
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
}

describe('connections refused by maxConnections', () => {
  it('are counted and reported on TCP with a code, the limit and the peer', async () => {
    const { transport, port, refusals, errors } = await listenCapped({ host: '127.0.0.1', port: 0 });
    const first = connect({ host: '127.0.0.1', port });
    open.track({ close: () => void first.destroy() });
    await waitFor(() => transport.connectionCount === 1, { what: 'the first connection' });

    await connectAndWaitForClose({ host: '127.0.0.1', port });
    await connectAndWaitForClose({ host: '127.0.0.1', port });
    await waitFor(() => transport.stats.connectionsRefused === 2, { what: 'both refusals to be counted' });

    expect(refusals).toEqual([
      {
        refusal: { code: 'MAX_CONNECTIONS', message: 'Connection refused: limit of 1 reached' },
        peer: expect.objectContaining({ transport: 'tcp', address: '127.0.0.1' }),
      },
      {
        refusal: { code: 'MAX_CONNECTIONS', message: 'Connection refused: limit of 1 reached' },
        peer: expect.objectContaining({ transport: 'tcp', address: '127.0.0.1' }),
      },
    ]);
    expect(refusals[0]?.refusal).not.toBeInstanceOf(Error);
    expect(errors).toEqual([]);
    expect(transport.connectionCount).toBe(1);
  });

  it('are counted and reported on a Unix socket, the peer being the socket path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'volley-refusals-'));
    open.track({ close: () => rm(dir, { recursive: true, force: true }) });
    const path = join(dir, 'server.sock');
    const { transport, refusals } = await listenCapped({ path });
    const first = connect({ path });
    open.track({ close: () => void first.destroy() });
    await waitFor(() => transport.connectionCount === 1, { what: 'the first connection' });

    await connectAndWaitForClose({ path });
    await waitFor(() => transport.stats.connectionsRefused === 1, { what: 'the refusal to be counted' });

    expect(refusals).toEqual([
      {
        refusal: { code: 'MAX_CONNECTIONS', message: 'Connection refused: limit of 1 reached' },
        peer: { transport: 'unix', address: path, port: 0 },
      },
    ]);
  });
});
