import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconnectingConnection } from './reconnecting-connection.js';

const events = { onMessage: () => {}, onConnectionClosed: () => {} };

describe('ReconnectingConnection backoff', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits a doubling delay between failed connects, and none after a success', async () => {
    const attempts: number[] = [];
    const start = performance.now();
    let up = false;
    const connection = new ReconnectingConnection(
      async () => {
        attempts.push(performance.now() - start);
        if (!up) throw new Error('refused');
        return {
          kind: 'tcp',
          peer: { transport: 'tcp', address: '127.0.0.1', port: 1 },
          mode: 'stream',
          maxMessageBytes: 1,
          send: () => true,
          close: () => {},
        };
      },
      events,
      { baseMs: 100, maxMs: 400, random: () => 0 },
    );
    const settle = async (promise: Promise<unknown>) => {
      let done = false;
      void promise.then(
        () => (done = true),
        () => (done = true),
      );
      while (!done) await vi.advanceTimersByTimeAsync(10);
    };
    // Each acquire is made as soon as the previous one failed.
    for (let i = 0; i < 5; i++) await settle(connection.acquire());
    // Waits of 100, 200, 400, 400 (capped) after each failure.
    expect(attempts).toEqual([0, 100, 300, 700, 1100]);
    up = true;
    const connecting = connection.acquire();
    await settle(connecting);
    await expect(connecting).resolves.toBeDefined();
    expect(attempts).toEqual([0, 100, 300, 700, 1100, 1500]);
  });

  it('fails fast while waiting to reconnect when asked to', async () => {
    const connection = new ReconnectingConnection(
      async () => {
        throw new Error('refused');
      },
      events,
      { baseMs: 1000, failFast: true, random: () => 0 },
    );
    await expect(connection.acquire()).rejects.toThrow('refused');
    await expect(connection.acquire()).rejects.toMatchObject({ code: 'UNAVAILABLE', notExecuted: true });
  });
});
