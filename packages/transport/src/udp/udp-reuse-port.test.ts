import { afterEach, describe, expect, it } from 'vitest';
import { canReuseUdpPort } from './udp-reuse-port.js';
import { createUdpTransport, type UdpTransport } from './udp-transport.js';

/** dgram's `reusePort` arrived in Node 22.12 and 23.1; Linux balances it (CI runs Linux). */
function nodeHasReusePort(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 12);
}

const open: UdpTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((transport) => transport.close()));
});

async function listen(port: number, reusePort: boolean): Promise<number> {
  const transport = createUdpTransport({ host: '127.0.0.1', port, reusePort });
  open.push(transport);
  return (await transport.listen({ onMessage() {} })).port;
}

describe('UDP transport with reusePort', () => {
  it.runIf(process.platform === 'linux')(
    'is available exactly on Node versions whose dgram has reusePort',
    async () => {
      expect(await canReuseUdpPort('127.0.0.1')).toBe(nodeHasReusePort());
    },
  );

  it.runIf(process.platform === 'linux' && nodeHasReusePort())('lets two transports listen on one port', async () => {
    const port = await listen(0, true);
    expect(await listen(port, true)).toBe(port);
  });

  it('refuses a second transport on the port without it (EADDRINUSE)', async () => {
    const port = await listen(0, false);
    await expect(listen(port, false)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
