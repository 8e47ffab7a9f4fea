/**
 * Issue 13, item 5: "each refused signature [wrote] another" log line. A server that requires
 * signatures now counts every refusal (`signatureRejected`) and writes one `signed message
 * rejected` line per 10 s window, then one summary with how many more there were.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRawTcp,
  encodeRequest,
  openRawUdp,
  Resources,
  startTestServer,
  type TestServer,
  waitFor,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

const KEYS = { k1: 'first secret, at least 32 bytes long!!' };
const REFUSALS = 1_000;
/** Datagrams sent before waiting for the server to count them: the kernel's buffer never overflows. */
const BATCH = 50;

/** Every line about signature refusals: the first of the window and, at its end, the summary. */
function refusalLines(app: TestServer) {
  return app.logs.lines.filter((line) => line.msg.startsWith('signed message rejected'));
}

describe('a flood of unsigned requests to a server that requires signatures', () => {
  it('over UDP is counted in full and logged once, then summed up in one line', async () => {
    const app = open.track(await startTestServer({ server: { signing: { keys: KEYS } } }));
    const raw = open.track(await openRawUdp(app.udpPort));

    for (let sent = 0; sent < REFUSALS; ) {
      const batch = [];
      for (let i = 0; i < BATCH; i++, sent++) batch.push(raw.send(encodeRequest(sent, 'echo.ping')));
      await Promise.all(batch);
      const target = sent;
      await waitFor(() => app.server.stats.signatureRejected === target, { what: `${target} refusals counted` });
    }

    expect(app.server.stats.signatureRejected).toBe(REFUSALS);
    expect(app.server.stats.amplificationSuppressed).toBe(REFUSALS);
    expect(app.server.stats.calls).toBe(0);
    expect(refusalLines(app)).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'signed message rejected',
        reason: 'This server accepts signed messages only',
      }),
    ]);
    // Nothing else is written per datagram either (the refusals are also too large for the
    // 3x budget of a 20-byte request, and withheld: counted, not logged).
    expect(app.logs.lines.length).toBeLessThan(10);

    await app.close();
    expect(refusalLines(app)).toEqual([
      expect.objectContaining({ msg: 'signed message rejected' }),
      expect.objectContaining({
        level: 'info',
        msg: `signed message rejected: ${REFUSALS - 1} more in the last 10 s`,
        suppressed: REFUSALS - 1,
      }),
    ]);
  });

  it('over a TCP connection is answered UNAUTHENTICATED each time, counted in full and logged once', async () => {
    const app = open.track(await startTestServer({ server: { signing: { keys: KEYS } } }));
    const raw = open.track(await connectRawTcp(app.tcpPort));

    for (let id = 0; id < REFUSALS; id++) raw.sendFrame(encodeRequest(id, 'echo.ping'));
    await waitFor(() => raw.frames.all.length === REFUSALS, { what: `${REFUSALS} refusals` });

    expect(app.server.stats.signatureRejected).toBe(REFUSALS);
    expect(app.server.stats.calls).toBe(0);
    expect(refusalLines(app)).toHaveLength(1);
    expect(app.logs.lines.length).toBeLessThan(10);
    await app.close();
    expect(refusalLines(app).map((line) => line.msg)).toEqual([
      'signed message rejected',
      `signed message rejected: ${REFUSALS - 1} more in the last 10 s`,
    ]);
  });
});
