/**
 * A signature's life is no longer than the server's memory of it, across a restart too (issue 13
 * part 7; docs/security.md, "Signed messages"). An attacker captures a signed non-idempotent
 * request on its way to a server, over UDP and over TCP; the server process is SIGKILLed and a new
 * one takes its port; the attacker replays the captured bytes, well within the 30 s skew. The new
 * process remembers no signature, so before its memory began at its start, it ran both again. Now
 * it refuses every signature stamped no later than its start (as Kerberos does after losing its
 * replay cache, RFC 4120 §3.2.3), and an honest client that signs after the restart is served.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@volley/client';
import { createCodec, RpcError, signEnvelope, signingAudience } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRawTcp, decodeResponse, encodeRequest, openRawUdp, Resources } from '../support/index.js';
import { listenLedger, readExecutions, STARTUP_MS, startLedger } from './fixtures/ledger-processes.js';
import type { LedgerRouter, LedgerStats } from './fixtures/ledger-server.js';

const open = new Resources();
afterEach(() => open.closeAll());

const codec = createCodec();
const KEY = { keyId: 'k1', key: 'first secret, at least 32 bytes long!!' };

/** Executions per incarnation, from the ledger's file. */
function executionsBy(file: string, incarnation: number): number {
  return [...readExecutions(file).values()].flat().filter((ran) => ran === incarnation).length;
}

describe('signed requests captured before a server restart', () => {
  it('are refused by the new process on its port, over UDP and TCP, while a client signing after the restart is served', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'volley-signed-restart-'));
    open.track({ close: () => rmSync(dir, { recursive: true, force: true }) });
    const file = join(dir, 'executions.log');
    // The replacement is loaded ahead, so it binds the port the moment the first one is gone.
    const [first, replacement] = await Promise.all([startLedger(open, file, KEY), startLedger(open, file, KEY)]);
    const before = await listenLedger(first, 0);
    const scope = { ...KEY, audience: signingAudience('127.0.0.1', before.port) };
    // What an on-path attacker copies: a signing client's datagram and frame, each run once.
    const meta = { deadlineMs: 5_000, attempt: 1, clientId: Buffer.alloc(8, 7) };
    const datagram = signEnvelope(codec, encodeRequest(1, 'ledger.debit', { n: 1 }, meta), scope);
    const frame = signEnvelope(codec, encodeRequest(2, 'ledger.debit', { n: 2 }, { deadlineMs: 5_000 }), scope);
    const udp = open.track(await openRawUdp(before.port));
    await udp.send(datagram);
    await udp.received.next();
    const tcp = open.track(await connectRawTcp(before.tcpPort ?? 0));
    tcp.sendFrame(frame);
    await tcp.frames.next();
    expect(executionsBy(file, before.incarnation)).toBe(2);

    await first.kill('SIGKILL');
    const after = await listenLedger(replacement, before.port);
    const replayUdp = open.track(await openRawUdp(after.port));
    await replayUdp.send(datagram);
    const udpAnswer = await replayUdp.received.next();
    const replayTcp = open.track(await connectRawTcp(after.tcpPort ?? 0));
    replayTcp.sendFrame(frame);
    const tcpAnswer = await replayTcp.frames.next();
    // Signed now, after the restart: no honest client is refused for the second the server started in.
    const client = open.track(createClient<LedgerRouter>(`udp://127.0.0.1:${after.port}`, { signing: KEY }));
    await expect(client.ledger.debit({ n: 3 })).resolves.toEqual({ n: 3 });
    replacement.send('stats');
    const stats = await replacement.next<LedgerStats>('ledger server stats', STARTUP_MS);

    expect(after).toMatchObject({ port: before.port, tcpPort: before.tcpPort });
    // Only the honest call ran in the new process; before, the two replays ran there too.
    expect(executionsBy(file, after.incarnation)).toBe(1);
    const [udpRefusal, tcpRefusal] = [decodeResponse(udpAnswer), decodeResponse(tcpAnswer)];
    for (const refusal of [udpRefusal, tcpRefusal]) {
      const error = RpcError.fromWire(refusal.error);
      expect(error).toMatchObject({ code: 'UNAUTHENTICATED', notExecuted: true });
      expect(error.message).toMatch(/^Signed before this server started \(.+\): refused as a possible replay/);
    }
    expect(udpRefusal.id).toBe(1);
    expect(tcpRefusal.id).toBe(2);
    expect(stats.signatureRejected).toBe(2);
    // The honest call (and its client's incarnation probe, `$health`): the replays never reached dispatch.
    expect(stats.calls - stats.healthCalls).toBe(1);
  }, 60_000);
});
