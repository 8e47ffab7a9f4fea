import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createServer, type Server } from '@volley/server';
import { createAppRouter } from '@volley/service-app';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../packages/cli/bin/volley.js', import.meta.url));

async function volley(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('volley call', () => {
  let server: Server;
  let port: number | undefined;

  beforeEach(async () => {
    server = createServer({ router: createAppRouter(), logger: pino({ level: 'silent' }) });
    const bound = await server.listen({ udp: { host: '127.0.0.1', port: 0 }, tcp: { host: '127.0.0.1', port: 0 } });
    port = bound.udp?.port;
  });

  afterEach(async () => {
    await server.close();
  });

  it('prints the result of a call over UDP as JSON', async () => {
    const result = await volley('call', `udp://127.0.0.1:${port}`, 'echo.add', '{"a":1,"b":2}');
    expect(result).toMatchObject({ code: 0, stdout: '{\n  "sum": 3\n}\n' });
  });

  it('prints the error code and exits 1 when the call fails', async () => {
    const result = await volley('call', `tcp://127.0.0.1:${port}`, 'echo.add', '{"a":"x","b":2}');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^BAD_REQUEST: Invalid input/);
  });

  it('exits 2 with usage on a malformed command', async () => {
    const result = await volley('call', 'udp://127.0.0.1');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage:');
  });
});
