/**
 * Certificates for TLS tests, made at test time with the `openssl` CLI in a fresh temporary
 * directory: no private key is ever committed. EC P-256 keys keep generation fast (a few ms each).
 *
 *   Volley Test CA ──┬── server  (CN=localhost, SAN DNS:localhost only — no IP SAN, on purpose)
 *                    └── alice   (CN=alice, SAN URI:spiffe://volley.test/alice, clientAuth)
 *   Other Test CA ────── mallory (CN=mallory, clientAuth): valid, but from a CA the server ignores
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its private key, both PEM. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** Everything a TLS test needs; `remove()` deletes the directory holding the files. */
export interface TestPki {
  /** PEM of the CA that signed `server` and `alice`. */
  readonly ca: string;
  /** PEM of a second CA that signed `mallory`. */
  readonly otherCa: string;
  readonly server: KeyPair;
  readonly alice: KeyPair;
  readonly mallory: KeyPair;
  remove(): Promise<void>;
}

/** A leaf's X.509 extensions, as `openssl x509 -extfile` reads them. */
function extensions(subjectAltName: string, usage: 'serverAuth' | 'clientAuth'): string {
  return [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    `extendedKeyUsage = ${usage}`,
    `subjectAltName = ${subjectAltName}`,
    '',
  ].join('\n');
}

/**
 * Creates two CAs and three leaf certificates (valid for one day) in a temporary directory.
 * Call `remove()` in `afterAll`.
 */
export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'volley-tls-'));
  const path = (name: string) => join(dir, name);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  async function makeCa(name: string, commonName: string): Promise<string> {
    await run('openssl', [
      'req',
      '-x509',
      ...newKey,
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.crt`),
    ]);
    return readFile(path(`${name}.crt`), 'utf8');
  }

  async function makeLeaf(name: string, ca: string, commonName: string, extensionText: string): Promise<KeyPair> {
    await run('openssl', [
      'req',
      ...newKey,
      '-subj',
      `/CN=${commonName}`,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.csr`),
    ]);
    await writeFile(path(`${name}.ext`), extensionText);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path(`${ca}.crt`),
      '-CAkey',
      path(`${ca}.key`),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      path(`${name}.ext`),
      '-out',
      path(`${name}.crt`),
    ]);
    return { cert: await readFile(path(`${name}.crt`), 'utf8'), key: await readFile(path(`${name}.key`), 'utf8') };
  }

  try {
    const ca = await makeCa('ca', 'Volley Test CA');
    const otherCa = await makeCa('other-ca', 'Other Test CA');
    const server = await makeLeaf('server', 'ca', 'localhost', extensions('DNS:localhost', 'serverAuth'));
    const alice = await makeLeaf('alice', 'ca', 'alice', extensions('URI:spiffe://volley.test/alice', 'clientAuth'));
    const mallory = await makeLeaf(
      'mallory',
      'other-ca',
      'mallory',
      extensions('URI:spiffe://volley.test/mallory', 'clientAuth'),
    );
    return { ca, otherCa, server, alice, mallory, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
