import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LIMIT_SYSTEMS, VOLLEY_SYSTEMS } from './registry.js';
import type { BenchClient, ClientModule, RunningServer, ServerModule, SystemDefinition } from './system.js';

// Peers are tested by their own suite; these are the systems this harness owns.
const socketDir = mkdtempSync(join(tmpdir(), 'volley-bench-test-'));
let server: RunningServer | undefined;
let client: BenchClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});
afterAll(() => rmSync(socketDir, { recursive: true, force: true }));

/** The system's server and client modules in this process, as the children would load them. */
async function connect(system: SystemDefinition): Promise<BenchClient> {
  const serverModule = (await import(system.serverModule.href)) as ServerModule;
  const clientModule = (await import(system.clientModule.href)) as ClientModule;
  const path = system.transport === 'unix' ? join(socketDir, `${system.id}.sock`) : undefined;
  server = await serverModule.startServer(path === undefined ? { host: '127.0.0.1' } : { host: '127.0.0.1', path });
  client = await clientModule.connectClient(server.address);
  return client;
}

describe.each([...LIMIT_SYSTEMS, ...VOLLEY_SYSTEMS].map((system) => [system.id, system] as const))(
  'system %s',
  (_id, system) => {
    it('answers 64 concurrent adds, each with its own sum', async () => {
      const connected = await connect(system);
      const sums = await Promise.all(Array.from({ length: 64 }, (_, i) => connected.add({ a: i, b: 1000 })));
      expect(sums).toEqual(Array.from({ length: 64 }, (_, i) => ({ sum: i + 1000 })));
    });

    it('echoes a 4 KiB message intact', async () => {
      const connected = await connect(system);
      const message = 'abcd'.repeat(1024);
      expect(await connected.echo({ message })).toEqual({ message });
    });

    it('needs no resends on loopback for a handful of calls', async () => {
      const connected = await connect(system);
      await Promise.all(Array.from({ length: 8 }, (_, i) => connected.add({ a: i, b: i })));
      expect(connected.resends?.() ?? 0).toBe(0);
    });
  },
);
