import { createSocket } from 'node:dgram';
import { createServer as createNetServer } from 'node:net';
import { router } from '@volley/router';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenError } from './listen-error.js';
import { createServer, type Server } from './server.js';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function newServer(): Server {
  const server = createServer({ router: router({}), logger: pino({ level: 'silent' }) });
  cleanups.push(() => server.close({ graceMs: 0 }));
  return server;
}

async function occupiedTcpPort(): Promise<number> {
  const blocker = createNetServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve())));
  return (blocker.address() as { port: number }).port;
}

async function occupiedUdpPort(): Promise<number> {
  const blocker = createSocket('udp4');
  await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve())));
  return blocker.address().port;
}

describe('server.listen failures', () => {
  it('says in one line which TCP address is taken, keeping the system code and cause', async () => {
    const port = await occupiedTcpPort();
    const failure = await newServer()
      .listen({ tcp: { host: '127.0.0.1', port } })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ListenError);
    expect((failure as ListenError).message).toBe(
      `cannot listen on tcp 127.0.0.1:${port}: the port is in use (EADDRINUSE)`,
    );
    expect((failure as ListenError).code).toBe('EADDRINUSE');
    expect((failure as ListenError).target).toEqual({ transport: 'tcp', host: '127.0.0.1', port });
    expect(((failure as ListenError).cause as NodeJS.ErrnoException).syscall).toBe('listen');
  });

  it('names UDP when the datagram port is the one taken', async () => {
    const port = await occupiedUdpPort();
    const failure = await newServer()
      .listen({ udp: { host: '127.0.0.1', port } })
      .catch((error: unknown) => error);
    expect((failure as ListenError).message).toBe(
      `cannot listen on udp 127.0.0.1:${port}: the port is in use (EADDRINUSE)`,
    );
  });

  it('keeps the system message for reasons it has no words for, on one line', async () => {
    // A file where a directory should be: ENOTDIR, which has no wording of its own.
    const path = '/etc/passwd/server.sock';
    const failure = await newServer()
      .listen({ unix: { path } })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ListenError);
    expect((failure as ListenError).message).toMatch(new RegExp(`^cannot listen on unix ${path}\\W.*ENOTDIR`));
    expect((failure as ListenError).message).not.toContain('\n');
  });

  it('does not blame low port numbers for a Unix socket path it may not write', async () => {
    const failure = await newServer()
      .listen({ unix: { path: '/proc/volley.sock' } })
      .catch((error: unknown) => error);
    expect((failure as ListenError).message).toMatch(/^cannot listen on unix \/proc\/volley.sock: /);
    expect((failure as ListenError).message).not.toContain('ports below 1024');
  });
});
