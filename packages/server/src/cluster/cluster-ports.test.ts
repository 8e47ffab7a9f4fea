import { createTcpTransport, createUdpTransport, type ServerTransport } from '@volley/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { choosePorts } from './cluster-ports.js';

const open: ServerTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((transport) => transport.close()));
});

async function bind(transport: ServerTransport): Promise<number> {
  open.push(transport);
  return (await transport.listen({ onMessage() {} })).port;
}

describe('choosePorts', () => {
  it('turns port 0 for UDP and TCP on one host into one number that both can bind', async () => {
    const ports = await choosePorts({ udp: { host: '127.0.0.1', port: 0 }, tcp: { host: '127.0.0.1', port: 0 } });
    expect(ports.udp).toBe(ports.tcp);
    expect(await bind(createTcpTransport({ host: '127.0.0.1', port: ports.tcp }))).toBe(ports.tcp);
    expect(await bind(createUdpTransport({ host: '127.0.0.1', port: ports.udp }))).toBe(ports.udp);
  });

  it('keeps ports that were given, and gives none for transports not asked for', async () => {
    expect(await choosePorts({ tcp: { host: '127.0.0.1', port: 4321 } })).toEqual({ tcp: 4321 });
  });
});
