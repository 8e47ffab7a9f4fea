import { createClient } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { KIND } from '@volley/wire';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callsBesidesProbes,
  connectRawTcp,
  decodeEnvelope,
  encodeValue,
  Resources,
  startTestServer,
  type TestServer,
} from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

async function setup(transport: 'udp' | 'tcp') {
  const app = open.track(await startTestServer());
  const client = open.track(createClient<AppRouter>(transport === 'udp' ? app.udpUrl : app.tcpUrl));
  return { app, client };
}

function callFailedLines(app: TestServer) {
  return app.logs.withMessage('call failed');
}

describe.each(['udp', 'tcp'] as const)('requests with the wrong input over %s', (transport) => {
  it('rejects echo.add with a string for a number as BAD_REQUEST naming the field, and keeps serving', async () => {
    const { app, client } = await setup(transport);

    const error = await client.call('echo.add', { a: 'one', b: 2 }).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'BAD_REQUEST',
      local: false,
      notExecuted: true,
      data: { issues: [{ path: ['a'], message: expect.any(String) }] },
    });
    expect(callsBesidesProbes(app.server)).toBe(1);
    expect(app.server.stats).toMatchObject({ failedCalls: 1, malformed: 0 });
    expect(callFailedLines(app)).toEqual([
      expect.objectContaining({ level: 'info', procedure: 'echo.add', code: 'BAD_REQUEST' }),
    ]);
    await expect(client.echo.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
  });

  it('reports every invalid field of kv.set, each with its own path', async () => {
    const { client } = await setup(transport);

    const error = await client.call('kv.set', { key: '', value: 7 }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    const issues = (error as { data: { issues: { path: unknown[] }[] } }).data.issues;
    expect(issues.map((issue) => issue.path)).toEqual([['key'], ['value']]);
  });

  it('rejects a missing input as BAD_REQUEST with an issue at the root', async () => {
    const { client } = await setup(transport);

    const error = await client.call('echo.add').catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'BAD_REQUEST', data: { issues: [{ path: [], message: expect.any(String) }] } });
  });

  it('rejects an unknown procedure as NOT_FOUND naming it, without running anything', async () => {
    const { app, client } = await setup(transport);

    const error = await client.call('echo.nope', {}).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'NOT_FOUND', notExecuted: true, data: { procedure: 'echo.nope' } });
    expect(callFailedLines(app)).toEqual([
      expect.objectContaining({ level: 'info', procedure: 'echo.nope', code: 'NOT_FOUND' }),
    ]);
    await expect(client.echo.echo({ message: 'ok' })).resolves.toEqual({ message: 'ok' });
  });
});

describe('a notification with the wrong input', () => {
  it('is logged with BAD_REQUEST and never answered, since a notification has no reply', async () => {
    const app = open.track(await startTestServer());
    const raw = open.track(await connectRawTcp(app.tcpPort));

    raw.sendFrame(encodeValue([KIND.notification, 'echo.add', [{ a: 'one', b: 2 }]]));
    raw.sendFrame(encodeValue([KIND.ping, 3]));
    // Frames on one connection are handled in order: a pong first means nothing answered the notification.
    const first = decodeEnvelope(await raw.frames.next());

    expect(first).toEqual({ kind: KIND.pong, id: 3 });
    expect(app.server.stats).toMatchObject({ notifications: 1, malformed: 0 });
    expect(app.logs.withMessage('notification failed')).toEqual([
      expect.objectContaining({ level: 'info', procedure: 'echo.add', code: 'BAD_REQUEST' }),
    ]);
  });
});
