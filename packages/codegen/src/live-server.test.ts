import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isRpcError } from '@volley/client';
import { afterEach, describe, expect, it } from 'vitest';
import { errorOf, Resources, startTestServer } from '../../../test/support/index.js';
import { GOLDENS } from '../test/goldens.js';
import { generateClientSource } from './generate.js';
import { loadManifestFromUrl } from './load-manifest.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const APP = GOLDENS.find((golden) => golden.module === 'services/app/src/app-router.ts')!;

const resources = new Resources();
afterEach(() => resources.closeAll());

describe.each(['udp', 'tcp'] as const)('a stub generated from a live server over %s', (transport) => {
  it('is the golden generated from the router module, but for its source line', async () => {
    const server = resources.track(await startTestServer());
    const url = transport === 'udp' ? server.udpUrl : server.tcpUrl;
    const manifest = await loadManifestFromUrl(url, { timeoutMs: 5000 });
    const generated = await generateClientSource(manifest, { source: url });
    const golden = await readFile(join(ROOT, APP.file), 'utf8');
    const sourceLine = ` * Source: ${APP.module}\n`;
    expect(golden).toContain(sourceLine);
    expect(generated).toBe(golden.replace(sourceLine, ` * Source: ${url}\n`));
  });

  it('says reflection is turned off when the server answers $describe with NOT_FOUND', async () => {
    const server = resources.track(await startTestServer({ server: { reflection: false } }));
    const url = transport === 'udp' ? server.udpUrl : server.tcpUrl;
    const error = await errorOf(loadManifestFromUrl(url, { timeoutMs: 5000 }));
    expect(error).toMatchObject({
      code: 'NOT_FOUND',
      message: `reflection is turned off on ${url}`,
      cause: { code: 'NOT_FOUND' },
    });
  });
});

describe('loadManifestFromUrl', () => {
  it('fetches over TCP a manifest too large for one datagram', async () => {
    const server = resources.track(await startTestServer());
    // Without the TCP route the truncated answer is all there is: the manifest does not fit.
    const udpOnly = await errorOf(loadManifestFromUrl(server.udpUrl, { timeoutMs: 5000, tcpFallback: false }));
    expect(udpOnly).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const manifest = await loadManifestFromUrl(server.udpUrl, { timeoutMs: 5000 });
    expect(manifest.procedures.map((procedure) => procedure.name)).toContain('kv.set');
  });

  it("rejects with the client's RpcError when nothing answers, so callers can match on its code", async () => {
    const silent = createSocket('udp4');
    resources.track({ close: () => new Promise<void>((done) => silent.close(() => done())) });
    await new Promise<void>((done) => silent.bind(0, '127.0.0.1', done));
    const url = `udp://127.0.0.1:${silent.address().port}`;
    const error = await errorOf(loadManifestFromUrl(url, { timeoutMs: 300, tcpFallback: false }));
    expect(isRpcError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', local: true });
  });
});
