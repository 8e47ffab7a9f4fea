/**
 * The TLS transport on its own: framing both ways, the client's view of the server, and closing
 * with a handshake that never finishes; then the client's connect step above it, which confirms
 * each new connection with a ping round trip.
 */
import { X509Certificate } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { createClient, parseEndpoint } from '@volley/client';
import {
  type Channel,
  type ClientConnection,
  connectTls,
  createTlsTransport,
  type TlsTransport,
} from '@volley/transport';
import { createCodec, KIND } from '@volley/wire';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MessageQueue, waitFor } from '../support/index.js';
import { createTestPki, type TestPki } from './test-pki.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(async () => {
  await pki?.remove();
});

const codec = createCodec();

describe('tls transport', () => {
  let transport: TlsTransport | undefined;
  let connection: ClientConnection | undefined;
  let rawSocket: Socket | undefined;

  afterEach(async () => {
    connection?.close();
    rawSocket?.destroy();
    await transport?.close();
    transport = connection = rawSocket = undefined;
  });

  /** An echo server (answering pings as a Volley server does); returns its port and channels. */
  async function startEcho(
    options: { handshakeTimeoutMs?: number } = {},
  ): Promise<{ port: number; channels: Channel[] }> {
    const channels: Channel[] = [];
    transport = createTlsTransport({
      host: '127.0.0.1',
      port: 0,
      cert: pki.server.cert,
      key: pki.server.key,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: false,
      ...options,
    });
    const bound = await transport.listen({
      onChannelOpen: (channel) => void channels.push(channel),
      onMessage(bytes, channel) {
        const decoded = codec.decode(bytes);
        if (decoded.ok && decoded.value.kind === KIND.ping)
          channel.send(codec.encode({ kind: KIND.pong, id: decoded.value.id }));
        else channel.send(Buffer.from(bytes));
      },
    });
    expect(bound).toMatchObject({ transport: 'tls', address: '127.0.0.1' });
    return { port: bound.port, channels };
  }

  it('carries frames both ways and shows each side the other verified certificate', async () => {
    const { port, channels } = await startEcho();
    const received = new MessageQueue<Buffer>();
    connection = await connectTls(
      { host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', ...pki.alice },
      { onMessage: (message) => received.push(Buffer.from(message)), onClose: () => {} },
    );
    expect(connection.send(Buffer.from('hello'))).toBe(true);
    expect((await received.next()).toString()).toBe('hello');
    expect(connection.peer).toMatchObject({
      transport: 'tls',
      address: '127.0.0.1',
      port,
      identity: { commonName: 'localhost', subjectAltName: 'DNS:localhost' },
    });
    expect(connection.peer.identity?.fingerprint256).toBe(new X509Certificate(pki.server.cert).fingerprint256);
    expect(channels.map((channel) => channel.peer.identity?.commonName)).toEqual(['alice']);
    expect(transport?.connectionCount).toBe(1);
  });

  it('closes without waiting for a connection stuck before its handshake', async () => {
    // The handshake would time out only after 10 minutes, far past this test's own timeout: a
    // close() that waited for the stuck connection fails the test by hanging, whatever the clock.
    const { port } = await startEcho({ handshakeTimeoutMs: 600_000 });
    rawSocket = netConnect({ host: '127.0.0.1', port });
    await new Promise((resolve) => rawSocket?.once('connect', resolve));
    await transport?.close();
    await waitFor(() => rawSocket?.destroyed === true || rawSocket?.readableEnded === true, {
      what: 'the raw socket to be closed',
    });
  }, 10_000);
});

describe('tls client connect step', () => {
  let transport: TlsTransport | undefined;
  let client: ReturnType<typeof createClient> | undefined;

  afterEach(async () => {
    await client?.close();
    await transport?.close();
    transport = client = undefined;
  });

  it('does not resolve a connection the server never confirms', async () => {
    // A TLS server that completes handshakes but never answers: the client must not treat it as open.
    transport = createTlsTransport({ host: '127.0.0.1', port: 0, cert: pki.server.cert, key: pki.server.key });
    const bound = await transport.listen({ onMessage: () => {} });
    client = createClient(`tls://127.0.0.1:${bound.port}`, {
      tls: { ca: pki.ca, servername: 'localhost' },
      connectTimeoutMs: 200,
    });
    const attempt = client.call('add', { a: 1, b: 2 }, { timeoutMs: 5000 });
    await expect(attempt).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      notExecuted: true,
      message: expect.stringContaining('timed out after 200 ms'),
    });
  });

  it('counts refused clients', async () => {
    transport = createTlsTransport({
      host: '127.0.0.1',
      port: 0,
      cert: pki.server.cert,
      key: pki.server.key,
      ca: pki.ca,
      requestCert: true,
    });
    const errors: string[] = [];
    const bound = await transport.listen({
      onMessage: () => {},
      onTransportError: (error) => void errors.push(error.message),
    });
    client = createClient(`tls://127.0.0.1:${bound.port}`, { tls: { ca: pki.ca, servername: 'localhost' } });
    const attempt = client.call('add', { a: 1, b: 2 }, { timeoutMs: 5000 });
    await expect(attempt).rejects.toMatchObject({ code: 'UNAVAILABLE', notExecuted: true });
    expect(transport.refusedCount).toBe(1);
    expect(transport.connectionCount).toBe(0);
    expect(errors).toEqual(['TLS client refused: no client certificate']);
  });
});

describe('parseEndpoint', () => {
  it('reads tls://host:port URLs, IPv6 in brackets', () => {
    expect(parseEndpoint('tls://localhost:4443')).toMatchObject({ transport: 'tls', host: 'localhost', port: 4443 });
    expect(parseEndpoint('tls://[::1]:4443')).toMatchObject({ transport: 'tls', host: '::1', port: 4443 });
    expect(() => parseEndpoint('tls://localhost')).toThrow(/host and a port/);
  });
});
