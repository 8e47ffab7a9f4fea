/**
 * The server's side of at-most-once across restarts (docs/protocol.md §5.7): a retransmission of a
 * non-idempotent call first sent to another incarnation of the server is refused as "may have
 * executed" and never run; everything else runs as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest, openRawUdp, Resources, startProbeServer } from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

const clientId = Buffer.from('0102030405060708', 'hex');

async function setup() {
  const { app, probe } = await startProbeServer(open);
  const raw = open.track(await openRawUdp(app.udpPort));
  const ours = app.server.incarnation;
  const other = ours === 1 ? 2 : ours - 1;
  const call = async (id: number, method: string, meta: { attempt: number; incarnation?: number }) => {
    await raw.send(encodeRequest(id, method, { chars: 1 }, { deadlineMs: 5_000, clientId, ...meta }));
    return decodeResponse(await raw.received.next());
  };
  return { app, probe, ours, other, call };
}

describe('a UDP retransmission addressed to another incarnation', () => {
  it('is refused with UNAVAILABLE, may have executed, without running the handler, and its duplicates get the same refusal', async () => {
    const { app, probe, ours, other, call } = await setup();

    const first = await call(1, 'probe.big', { attempt: 2, incarnation: other });
    const again = await call(1, 'probe.big', { attempt: 3, incarnation: other });

    expect(first).toMatchObject({
      id: 1,
      error: { code: 'UNAVAILABLE', notExecuted: false },
      meta: { attempt: 2, incarnation: ours },
    });
    expect(again).toMatchObject({
      id: 1,
      error: { code: 'UNAVAILABLE', notExecuted: false },
      meta: { attempt: 3, incarnation: ours },
    });
    expect(probe.bigExecutions).toBe(0);
    expect(app.server.stats).toMatchObject({ calls: 0, incarnationRefused: 1, replyCacheHits: 1 });
  });

  it('runs once when it names this incarnation: loss on a live server is absorbed as before', async () => {
    const { probe, ours, call } = await setup();

    const reply = await call(2, 'probe.big', { attempt: 2, incarnation: ours });
    const duplicate = await call(2, 'probe.big', { attempt: 3, incarnation: ours });

    expect(reply).toMatchObject({ result: { text: 'x' }, meta: { incarnation: ours } });
    expect(duplicate).toMatchObject({ result: { text: 'x' } });
    expect(probe.bigExecutions).toBe(1);
  });

  it('runs when it names no incarnation (the client had learned none when it first sent the call)', async () => {
    const { probe, call } = await setup();

    expect(await call(3, 'probe.big', { attempt: 2 })).toMatchObject({ result: { text: 'x' } });
    expect(probe.bigExecutions).toBe(1);
  });

  it('runs for an idempotent procedure, which may run twice anyway', async () => {
    const { app, probe, other, call } = await setup();

    expect(await call(4, 'probe.bigIdempotent', { attempt: 2, incarnation: other })).toMatchObject({
      result: { text: 'x' },
    });
    expect(probe.bigExecutions).toBe(1);
    expect(app.server.stats.incarnationRefused).toBe(0);
  });

  it('runs for a first transmission, whatever incarnation it names', async () => {
    const { probe, other, call } = await setup();

    expect(await call(5, 'probe.big', { attempt: 1, incarnation: other })).toMatchObject({ result: { text: 'x' } });
    expect(probe.bigExecutions).toBe(1);
  });

  it('is refused as may-have-executed by a draining server too, not as not-executed', async () => {
    const { app, probe, other, call } = await setup();
    const closing = app.server.close({ graceMs: 5_000 });

    const reply = await call(6, 'probe.big', { attempt: 2, incarnation: other });
    await closing;

    expect(reply).toMatchObject({ error: { code: 'UNAVAILABLE', notExecuted: false } });
    expect(probe.bigExecutions).toBe(0);
  });
});

describe('the server incarnation', () => {
  it('is a non-zero uint32, reported by $health and carried by every UDP reply', async () => {
    const { app, ours, call } = await setup();

    const health = await call(7, '$health', { attempt: 1 });

    expect(ours).toBeGreaterThan(0);
    expect(ours).toBeLessThanOrEqual(0xffff_ffff);
    expect(health).toMatchObject({ result: { incarnation: ours }, meta: { incarnation: ours } });
    expect(app.server.incarnation).toBe(ours);
  });
});
