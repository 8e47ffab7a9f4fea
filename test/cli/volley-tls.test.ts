/** The CLI's TLS flags against a real TLS server (certificates made with openssl at test time). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from '@volley/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../tls/test-pki.js';
import { createCliRouter } from './cli-fixture.js';
import { runVolley } from './run-volley.js';

let pki: TestPki;
let server: Server;
let port: number;
let dir: string;

beforeAll(async () => {
  pki = await createTestPki();
  dir = await mkdtemp(join(tmpdir(), 'volley-cli-tls-'));
  await writeFile(join(dir, 'ca.pem'), pki.ca);
  await writeFile(join(dir, 'alice.pem'), pki.alice.cert);
  await writeFile(join(dir, 'alice.key'), pki.alice.key);
  server = createServer({ router: createCliRouter(), logger: pino({ level: 'silent' }) });
  const bound = await server.listen({
    tls: { host: '127.0.0.1', port: 0, cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true },
  });
  port = bound.tls?.port ?? 0;
});

afterAll(async () => {
  await server?.close({ graceMs: 0 });
  await rm(dir, { recursive: true, force: true });
  await pki?.remove();
});

describe.concurrent('volley over TLS', () => {
  it('calls with --ca, --servername and a client certificate (mTLS)', async () => {
    const ca = join(dir, 'ca.pem');
    const run = await runVolley([
      'call',
      `127.0.0.1:${port}`,
      'echo.add',
      '{"a":2,"b":3}',
      '--tls',
      '--ca',
      ca,
      '--servername',
      'localhost',
      '--cert',
      join(dir, 'alice.pem'),
      '--key',
      join(dir, 'alice.key'),
    ]);
    expect(run).toMatchObject({ code: 0, stdout: '{"sum":5}\n' });
  });

  it('fails with UNAVAILABLE when the server refuses a client without a certificate', async () => {
    const run = await runVolley([
      'health',
      `tls://127.0.0.1:${port}`,
      '--ca',
      join(dir, 'ca.pem'),
      '--servername',
      'localhost',
      '--timeout',
      '2000',
    ]);
    expect(run.code).toBe(16);
  });

  it('exits 2 for a CA file that cannot be read and for --cert without --key', async () => {
    const missing = await runVolley(['call', `tls://127.0.0.1:${port}`, 'echo.ping', '--ca', join(dir, 'nope.pem')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--ca: cannot read .*ENOENT/);
    const half = await runVolley(['call', `tls://127.0.0.1:${port}`, 'echo.ping', '--cert', join(dir, 'alice.pem')]);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/--cert and --key go together/);
  });
});
