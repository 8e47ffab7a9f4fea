/**
 * Ctrl-C on `volley call`: the real binary, interrupted as a terminal does (SIGINT to its process
 * group) while the server's handler runs, sends the server a cancel, over UDP as over TCP.
 */
import { procedure, router } from '@volley/router';
import { createServer, type Server } from '@volley/server';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startVolley } from './run-volley.js';

const TEST_TIMEOUT_MS = 60_000;

let server: Server | undefined;

afterEach(async () => {
  await server?.close({ graceMs: 0 });
  server = undefined;
});

/** A server whose `wait` handler runs until its signal fires, reporting when it started and how it ended. */
async function startHoldingServer() {
  let started!: () => void;
  let aborted!: (reason: unknown) => void;
  const handlerStarted = new Promise<void>((resolve) => {
    started = resolve;
  });
  const handlerAborted = new Promise<unknown>((resolve) => {
    aborted = resolve;
  });
  const holding = router({
    wait: procedure.handler(
      ({ ctx }) =>
        new Promise<never>(() => {
          ctx.signal.addEventListener('abort', () => aborted(ctx.signal.reason));
          started();
        }),
    ),
  });
  const held = createServer({ router: holding, logger: pino({ level: 'silent' }) });
  server = held;
  const bound = await held.listen({ udp: { host: '127.0.0.1', port: 0 }, tcp: { host: '127.0.0.1', port: 0 } });
  return {
    server: held,
    udp: `udp://127.0.0.1:${bound.udp?.port}`,
    tcp: `tcp://127.0.0.1:${bound.tcp?.port}`,
    handlerStarted,
    handlerAborted,
  };
}

describe('volley call, interrupted', () => {
  it.each(['udp', 'tcp'] as const)(
    'Ctrl-C over %s sends a cancel: the handler signal fires, volley exits 130 and says so',
    async (transport) => {
      const held = await startHoldingServer();
      const run = startVolley(['call', held[transport], 'wait', '--timeout', '30000'], { timeoutMs: TEST_TIMEOUT_MS });
      await held.handlerStarted;
      run.signalGroup('SIGINT');
      await held.handlerAborted;
      const result = await run.done;
      expect(result.code).toBe(130);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe('Interrupted: sent the server a cancel for "wait".\n');
      // The cancel message itself arrived, not only a closed connection.
      expect(held.server.stats.cancelled).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );
});
