/**
 * One client/server suite, run unchanged over every transport (udp IPv4/IPv6, tcp, unix, memory
 * as a stream and as datagrams, tls), then the at-most-once and retransmission cases over every
 * transport whose datagrams it can lose, duplicate and reorder on a fake clock. A case skips only
 * with a stated reason (see transports.ts).
 */
import { createClient, type VolleyClient } from '@volley/client';
import { createServer, type Server } from '@volley/server';
import { DEFAULT_FAULT_DELAY_MS, type MemoryNetwork } from '@volley/transport';
import { isRpcError } from '@volley/wire';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  callsBesidesProbes,
  createProbe,
  createSeededRandom,
  createTestRouter,
  errorOf,
  type Probe,
  settleOnFakeClock,
  type TestRouter,
  waitFor,
} from '../support/index.js';
import { prepareTls, probeIpv6, removeTls, transportCases } from './transports.js';

await probeIpv6();
await prepareTls();
afterAll(removeTls);

for (const transport of transportCases()) {
  describe.skipIf(transport.skip !== undefined)(
    `conformance over ${transport.name}${transport.skip ? ` (skipped: ${transport.skip})` : ''}`,
    () => {
      let server: Server;
      let client: VolleyClient<TestRouter>;
      let probe: Probe;
      let url: string;

      beforeEach(async () => {
        probe = createProbe();
        server = createServer({
          router: createTestRouter(probe),
          logger: pino({ level: 'silent' }),
          closeGraceMs: 2000,
        });
        url = transport.url(await server.listen(transport.listen()));
        client = createClient<TestRouter>(url, transport.clientOptions?.());
      });

      afterEach(async () => {
        probe.release();
        await client.close();
        await server.close();
      });

      it('calls a nested procedure and returns its typed result', async () => {
        const result = await client.probe.add({ a: 2, b: 40 });
        expectTypeOf(result).toEqualTypeOf<{ sum: number }>();
        expect(result).toEqual({ sum: 42 });
      });

      it('calls a procedure that takes no input', async () => {
        expect(await client.probe.noInput()).toBe('no input needed');
      });

      it('calls by dotted name without types', async () => {
        expect(await client.call('probe.add', { a: 1, b: 1 })).toEqual({ sum: 2 });
      });

      it('matches 200 concurrent calls to their replies over one connection', async () => {
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => client.probe.add({ a: i, b: 1000 })));
        expect(results.map((r) => r.sum)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1000));
        expect(callsBesidesProbes(server)).toBe(200);
      });

      it('keeps integers beyond 32 and 53 bits exact', async () => {
        const result = await client.probe.integers({ n: 2 ** 40, huge: 2n ** 63n - 1n });
        expect(result).toEqual({ n: 2 ** 40 + 1, huge: 2n ** 63n - 2n });
      });

      it('answers invalid input with BAD_REQUEST and the zod issues', async () => {
        const error = await errorOf(client.probe.add({ a: 'one' as unknown as number, b: 2 }));
        expect(error).toMatchObject({ code: 'BAD_REQUEST', notExecuted: true, local: false });
        expect((error as { data: unknown }).data).toEqual({
          issues: [{ path: ['a'], message: 'Invalid input: expected number, received string' }],
        });
        expect(probe.executions).toBe(0);
      });

      it('answers an unknown procedure with NOT_FOUND naming it', async () => {
        expect(await errorOf(client.call('probe.divide', {}))).toMatchObject({
          code: 'NOT_FOUND',
          message: 'No procedure named "probe.divide"',
        });
      });

      it('passes a handler RpcError through with code, message and data', async () => {
        expect(await errorOf(client.probe.refuse())).toMatchObject({
          code: 'PERMISSION_DENIED',
          message: 'not for you',
          data: { need: 'admin' },
          local: false,
        });
      });

      it('hides a handler crash as a generic INTERNAL', async () => {
        const error = await errorOf(client.probe.crash());
        expect(isRpcError(error)).toBe(true);
        expect(error).toMatchObject({ code: 'INTERNAL', message: 'Internal server error', data: undefined });
        expect(JSON.stringify(error)).not.toContain('hunter2');
      });

      it('gives handlers the transport, metadata and deadline', async () => {
        expect(await client.probe.whoami(undefined, { trace: 'trace-1', auth: 'token-1', timeoutMs: 5000 })).toEqual({
          transport: url.split(':')[0],
          peerTransport: url.split(':')[0],
          signedBy: null,
          identity: null,
        });
        expect(probe.contexts).toMatchObject([{ trace: 'trace-1', auth: 'token-1', hasDeadline: true }]);
        // Epoch ms of the caller's timeout, less the time the request took to arrive.
        const left = probe.contexts[0]?.deadlineInMs ?? Number.NaN;
        expect(left).toBeGreaterThan(4000);
        expect(left).toBeLessThanOrEqual(5000);
      });

      it('times out with DEADLINE_EXCEEDED and fires the handler signal at the deadline', async () => {
        const error = await errorOf(client.probe.wait({ ms: 10_000 }, { timeoutMs: 100 }));
        expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', notExecuted: false });
        await waitFor(() => probe.aborts.length === 1, { what: 'the handler signal' });
        expect(probe.aborts).toEqual([{ procedure: 'probe.wait', code: 'DEADLINE_EXCEEDED' }]);
        await waitFor(() => server.inFlight === 0, { what: 'the server to forget the call' });
      });

      it('cancels: the caller gets CANCELLED and the handler signal fires', async () => {
        const controller = new AbortController();
        const call = errorOf(client.probe.wait({ ms: 10_000 }, { signal: controller.signal }));
        await waitFor(() => server.inFlight === 1, { what: 'the call to reach the server' });
        controller.abort();
        expect(await call).toMatchObject({ code: 'CANCELLED', local: true });
        await waitFor(() => probe.aborts.length === 1, { what: 'the handler signal' });
        expect(probe.aborts).toEqual([{ procedure: 'probe.wait', code: 'CANCELLED' }]);
        expect(server.inFlight).toBe(0);
      });

      it('fails pending calls with CLOSED when the client closes', async () => {
        const call = errorOf(client.probe.hold());
        await waitFor(() => probe.holding === 1, { what: 'the call to reach the server' });
        await client.close();
        expect(await call).toMatchObject({ code: 'CLOSED', local: true, notExecuted: false });
      });

      it('delivers notifications one way', async () => {
        await client.notify('probe.note', 'hello');
        await waitFor(() => probe.notes.length === 1, { what: 'the notification' });
        expect(probe.notes).toEqual(['hello']);
      });

      it('drains on close: a call in flight still gets its reply', async () => {
        const call = client.probe.hold();
        await waitFor(() => probe.holding === 1, { what: 'the call to reach the server' });
        const closing = server.close();
        probe.release();
        expect(await call).toEqual({ released: true });
        await closing;
      });

      it('refuses new calls while draining with UNAVAILABLE, not executed', async () => {
        const held = client.probe.hold();
        await waitFor(() => probe.holding === 1, { what: 'the call to reach the server' });
        const closing = server.close();
        expect(await errorOf(client.probe.add({ a: 1, b: 2 }))).toMatchObject({
          code: 'UNAVAILABLE',
          notExecuted: true,
        });
        probe.release();
        expect(await held).toEqual({ released: true });
        await closing;
      });

      it('aborts calls still running when the grace period ends, firing their signal', async () => {
        const call = errorOf(client.probe.wait({ ms: 60_000 }));
        await waitFor(() => server.inFlight === 1, { what: 'the call to reach the server' });
        await server.close({ graceMs: 50 });
        expect(probe.aborts).toEqual([{ procedure: 'probe.wait', code: 'CANCELLED' }]);
        expect(await call).toMatchObject({
          code: expect.stringMatching(/^(CANCELLED|UNAVAILABLE)$/),
          notExecuted: false,
        });
      });
    },
  );
}

for (const transport of transportCases()) {
  const skip = transport.skip ?? (transport.faults ? undefined : transport.faultsSkip);
  describe.skipIf(skip !== undefined)(
    `at-most-once and retransmission over ${transport.name}${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      let server: Server;
      let client: VolleyClient<TestRouter>;
      let probe: Probe;
      let network: MemoryNetwork;
      const range = (count: number) => Array.from({ length: count }, (_, i) => i);

      beforeEach(async () => {
        // Before anything is created, so every timer and performance.now() reading is on one fake clock.
        vi.useFakeTimers();
        probe = createProbe();
        server = createServer({ router: createTestRouter(probe), logger: pino({ level: 'silent' }), closeGraceMs: 0 });
        const url = transport.url(await server.listen(transport.listen()));
        network = transport.faults?.() as MemoryNetwork;
        client = createClient<TestRouter>(url, {
          ...transport.clientOptions?.(),
          retransmit: { random: createSeededRandom(11) },
        });
      });

      afterEach(async () => {
        await settleOnFakeClock(client.close());
        await settleOnFakeClock(server.close());
        vi.useRealTimers();
      });

      it('runs each non-idempotent call exactly once while datagrams are lost, duplicated and reordered', async () => {
        const CALLS = 100;
        network.faults = { loss: 0.2, duplication: 0.2, reorder: 0.3, random: createSeededRandom(7) };

        const results = await settleOnFakeClock(Promise.all(range(CALLS).map((n) => client.probe.bump({ n }))));

        expect(results).toEqual(range(CALLS).map((n) => ({ n })));
        expect(range(CALLS).map(probe.executionsOf)).toEqual(range(CALLS).map(() => 1));
        expect(probe.report()).toEqual({ executions: CALLS, requests: CALLS, maxExecutionsPerRequest: 1 });
        expect(
          Math.min(network.faultStats.lost, network.faultStats.duplicated, network.faultStats.reordered),
        ).toBeGreaterThan(0);
        expect(client.stats.retransmits).toBeGreaterThan(0);
        expect(server.stats.replyCacheHits).toBeGreaterThan(0);
      });

      it('answers a duplicated request from the reply cache without running it again', async () => {
        network.faults = { duplication: 1, random: createSeededRandom(3) };

        expect(await settleOnFakeClock(client.probe.bump({ n: 1 }))).toEqual({ n: 1 });
        // The request's copy is held back a few ms, so it finds the call finished and its reply kept.
        await vi.advanceTimersByTimeAsync(DEFAULT_FAULT_DELAY_MS * 2);

        expect(probe.executionsOf(1)).toBe(1);
        expect(callsBesidesProbes(server)).toBe(1);
        expect(server.stats).toMatchObject({ replyCacheHits: 1, duplicatesDropped: 0 });
        expect(client.stats.retransmits).toBe(0);
      });

      it('retransmits a lost request, which then runs once', async () => {
        network.faults = { loss: 1 };
        let retransmits = 0;
        const onEvent = (name: string) => void (name === 'volley.retransmit' && retransmits++);
        const call = client.probe.bump({ n: 7 }, { onEvent });
        await vi.advanceTimersByTimeAsync(0);
        // The call's datagram and its incarnation probe's, both lost.
        expect(network.faultStats.lost).toBe(1 + client.stats.incarnationProbes);
        expect(probe.executions).toBe(0);
        network.faults = {};

        expect(await settleOnFakeClock(call)).toEqual({ n: 7 });
        expect(retransmits).toBe(1);
        expect(probe.executionsOf(7)).toBe(1);
      });

      it('retransmits when the reply is lost, and gets the kept reply without the call running again', async () => {
        const call = client.probe.hold();
        await vi.advanceTimersByTimeAsync(0);
        expect(probe.holding).toBe(1);
        network.faults = { loss: 1 };
        probe.release();
        await vi.advanceTimersByTimeAsync(0);
        expect(network.faultStats.lost).toBe(1);
        network.faults = {};

        expect(await settleOnFakeClock(call)).toEqual({ released: true });
        expect(client.stats.retransmits).toBe(1);
        expect(server.stats.replyCacheHits).toBe(1);
        expect(probe.report()).toEqual({ executions: 1, requests: 1, maxExecutionsPerRequest: 1 });
      });
    },
  );
}
