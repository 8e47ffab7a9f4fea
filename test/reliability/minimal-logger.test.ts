/** createServer takes any pino-compatible logger: one without isLevelEnabled or level still works. */
import { createClient } from '@volley/client';
import { type Logger, procedure, router } from '@volley/router';
import { createServer, type Server } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

interface Line {
  level: string;
  fields: Record<string, unknown>;
  msg: string | undefined;
}

/** A logger with only the five methods the server needs, recording what it is given. */
function createRecordingLogger(lines: Line[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (fields: unknown, msg?: unknown): void => {
      if (typeof fields === 'string') lines.push({ level, fields: { ...bindings }, msg: fields });
      else lines.push({ level, fields: { ...bindings, ...(fields as object) }, msg: msg as string | undefined });
    };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: (more) => createRecordingLogger(lines, { ...bindings, ...more }),
  };
}

const app = router({
  add: procedure.input(z.object({ a: z.number(), b: z.number() })).handler(({ input, ctx }) => {
    ctx.logger.info({ a: input.a }, 'adding');
    return input.a + input.b;
  }),
});

let server: Server | undefined;
afterEach(async () => {
  await server?.close({ graceMs: 0 });
  server = undefined;
});

describe('a minimal pino-compatible logger', () => {
  it('serves calls, gives handlers a child bound to the call, and logs a caller-caused failure at info', async () => {
    const lines: Line[] = [];
    server = createServer({ router: app, logger: createRecordingLogger(lines) });
    await server.listen({ memory: { name: 'minimal-logger' } });
    const client = createClient<typeof app>('memory://minimal-logger');
    try {
      expect(await client.add({ a: 2, b: 40 })).toBe(42);
      await expect(client.add({ a: 'two' as unknown as number, b: 40 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    } finally {
      await client.close();
    }
    expect(lines.find((line) => line.msg === 'adding')?.fields).toMatchObject({
      a: 2,
      procedure: 'add',
      reqId: expect.any(String),
    });
    const failed = lines.filter((line) => line.msg === 'call failed');
    expect(failed).toEqual([
      expect.objectContaining({ level: 'info', fields: expect.objectContaining({ code: 'BAD_REQUEST' }) }),
    ]);
    expect(lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });
});
