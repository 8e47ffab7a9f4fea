/**
 * A UDP request too large for a datagram goes to the TCP route; when that route cannot be
 * opened, the error says both why the call took it and how it failed.
 */
import { createServer as createTcpServer } from 'node:net';
import { createClient } from '@volley/client';
import { afterEach, describe, expect, it } from 'vitest';
import { errorOf, Resources, startTestServer } from '../support/index.js';

const resources = new Resources();
afterEach(() => resources.closeAll());

/** A TCP port on loopback with nothing listening (bound, read, released). */
async function freeTcpPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

describe('a request moved to the TCP route because of its size', () => {
  it('fails naming its size, the datagram limit, the route and the refusal when the route is refused', async () => {
    const app = resources.track(await startTestServer());
    const route = `tcp://127.0.0.1:${await freeTcpPort()}`;
    const client = resources.track(createClient(app.udpUrl, { tcpFallback: route }));
    const error = await errorOf(client.call('echo.echo', { message: 'x'.repeat(2000) }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', local: true, notExecuted: true });
    const escaped = route.replaceAll('.', '\\.');
    expect((error as Error).message).toMatch(
      new RegExp(
        `^20\\d\\d-byte request exceeds the 1200-byte datagram limit; the TCP route to ${escaped} was refused \\(.*ECONNREFUSED`,
      ),
    );
  });
});
