import type { ClientConnection, ConnectionHandlers } from '@volley/transport';
import { createCodec, type Envelope, KIND } from '@volley/wire';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConfirmingConnector } from './confirming-connector.js';

const codec = createCodec();

/** A stream connection whose "server" is the test: it records what was sent and can answer or close. */
function fakeStream() {
  const sent: Envelope[] = [];
  const destroyed: boolean[] = [];
  let handlers: ConnectionHandlers | undefined;
  const connection: ClientConnection = {
    kind: 'tls',
    peer: { transport: 'tls', address: '127.0.0.1', port: 1 },
    mode: 'stream',
    maxMessageBytes: 1024,
    send(bytes) {
      const decoded = codec.decode(bytes);
      if (decoded.ok) sent.push(decoded.value);
      return true;
    },
    close: () => handlers?.onClose(),
    destroy: () => {
      destroyed.push(true);
      handlers?.onClose();
    },
  };
  const connect = async (h: ConnectionHandlers) => {
    handlers = h;
    return connection;
  };
  return {
    connect,
    connection,
    sent,
    destroyed,
    answer: (envelope: Envelope) => handlers?.onMessage(codec.encode(envelope)),
    close: (reason?: Error) => handlers?.onClose(reason),
  };
}

describe('createConfirmingConnector', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings a new connection and hands it out only once the pong comes back; later messages pass through', async () => {
    const fake = fakeStream();
    const messages: Buffer[] = [];
    let opened: ClientConnection | undefined;
    void createConfirmingConnector(fake.connect, { codec, target: 'tls://test:1' })({
      onMessage: (m) => void messages.push(m),
      onClose: () => {},
    }).then((c) => (opened = c));
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.sent).toEqual([{ kind: KIND.ping, id: 0 }]);
    expect(opened).toBeUndefined();
    fake.answer({ kind: KIND.pong, id: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(opened).toBe(fake.connection);
    fake.answer({ kind: KIND.pong, id: 0 });
    expect(messages).toHaveLength(1);
  });

  it('fails with UNAVAILABLE, not executed, when no pong comes within what the connect timeout left, and drops the connection', async () => {
    const fake = fakeStream();
    const attempt = createConfirmingConnector(fake.connect, { codec, target: 'tls://test:1', connectTimeoutMs: 200 })({
      onMessage: () => {},
      onClose: () => {},
    });
    const outcome = attempt.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(200);
    expect(await outcome).toMatchObject({
      code: 'UNAVAILABLE',
      local: true,
      notExecuted: true,
      message: 'Cannot connect to tls://test:1: timed out after 200 ms',
    });
    expect(fake.destroyed).toEqual([true]);
  });

  it('fails with UNAVAILABLE, not executed, when the server closes the connection before answering', async () => {
    const fake = fakeStream();
    const closes: unknown[] = [];
    const attempt = createConfirmingConnector(fake.connect, { codec, target: 'tls://test:1' })({
      onMessage: () => {},
      onClose: (reason) => void closes.push(reason),
    });
    const outcome = attempt.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    fake.close();
    expect(await outcome).toMatchObject({
      code: 'UNAVAILABLE',
      notExecuted: true,
      message: expect.stringContaining('closed the connection before accepting it'),
    });
    expect(closes).toEqual([]);
  });
});
