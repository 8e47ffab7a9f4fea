/** Where a transport was asked to listen, as a person reads it: `tcp 127.0.0.1:4000`, `unix /run/kv.sock`. */
export interface ListenTarget {
  readonly transport: 'udp' | 'tcp' | 'tls' | 'unix' | 'memory';
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
}

/** Why in words, per system error code; anything else keeps the system's own message. */
const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use (EADDRINUSE)',
  EADDRNOTAVAIL: 'no interface has that address (EADDRNOTAVAIL)',
  EACCES: 'permission denied (EACCES; ports below 1024 need privileges)',
  ENOTFOUND: 'unknown host (ENOTFOUND)',
};

/**
 * `server.listen` failed to bind one transport. The message is one line a service can print as
 * it is ("cannot listen on tcp 127.0.0.1:4000: the port is in use (EADDRINUSE)"); `code` is the
 * system error's (`EADDRINUSE`, …) so code that branches on it keeps working, and `cause` is the
 * original error.
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly code: string | undefined;
  readonly target: ListenTarget;

  constructor(target: ListenTarget, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const reason =
      code === 'EACCES' && target.path !== undefined
        ? 'permission denied (EACCES)'
        : (code !== undefined && REASONS[code]) || firstLine(cause);
    super(`cannot listen on ${describeTarget(target)}: ${reason}`, { cause });
    this.code = code;
    this.target = target;
  }
}

function describeTarget({ transport, host, port, path }: ListenTarget): string {
  if (path !== undefined) return `${transport} ${path}`;
  const shownHost = host ?? '127.0.0.1';
  return `${transport} ${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port ?? 0}`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
