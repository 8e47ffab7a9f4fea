/**
 * Regressions: a UDP call the server ended early (deadline, cancel) must not run again when a
 * late duplicate of its request arrives; the duplicate gets the same outcome from the reply cache.
 */
import { KIND } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeResponse,
  encodeRequest,
  encodeValue,
  openRawUdp,
  Resources,
  startProbeServer,
  waitFor,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

const clientId = Buffer.from('0102030405060708', 'hex');

async function setup() {
  const { app, probe } = await startProbeServer(open);
  const raw = open.track(await openRawUdp(app.udpPort));
  return { app, probe, raw };
}

describe('a UDP call the server ended early', () => {
  it('answers a duplicate that arrives after the deadline from the cache instead of running it again', async () => {
    const { app, probe, raw } = await setup();

    await raw.send(encodeRequest(1, 'probe.hold', {}, { deadlineMs: 50, attempt: 1, clientId }));
    const first = decodeResponse(await raw.received.next());
    await raw.send(encodeRequest(1, 'probe.hold', {}, { deadlineMs: 50, attempt: 2, clientId }));
    const second = decodeResponse(await raw.received.next());

    expect(first).toMatchObject({ id: 1, error: { code: 'DEADLINE_EXCEEDED' }, meta: { attempt: 1 } });
    expect(second).toMatchObject({ id: 1, error: { code: 'DEADLINE_EXCEEDED' }, meta: { attempt: 2 } });
    expect(app.server.stats).toMatchObject({ calls: 1, replyCacheHits: 1 });
    expect(probe.outcomes).toEqual([{ aborted: true, reasonCode: 'DEADLINE_EXCEEDED' }]);
  });

  it('answers a duplicate that arrives after a cancel with CANCELLED instead of running it again', async () => {
    const { app, probe, raw } = await setup();

    await raw.send(encodeRequest(2, 'probe.hold', {}, { deadlineMs: 10_000, attempt: 1, clientId }));
    await waitFor(() => probe.holding === 1, { what: 'the call to start' });
    await raw.send(encodeValue([KIND.cancel, 2, { c: clientId }]));
    await waitFor(() => probe.holding === 0, { what: 'the handler to stop' });
    await raw.send(encodeRequest(2, 'probe.hold', {}, { deadlineMs: 10_000, attempt: 2, clientId }));
    const reply = decodeResponse(await raw.received.next());

    expect(reply).toMatchObject({ id: 2, error: { code: 'CANCELLED' } });
    expect(app.server.stats.calls).toBe(1);
    expect(probe.outcomes).toHaveLength(1);
  });

  it('sends no metadata on replies to a request that carried none', async () => {
    const { raw } = await setup();

    await raw.send(encodeRequest(3, 'echo.ping'));
    const reply = decodeResponse(await raw.received.next());

    expect(reply.meta).toBeUndefined();
  });
});
