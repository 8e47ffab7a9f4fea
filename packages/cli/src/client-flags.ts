import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import type { ClientMethods, ClientOptions } from '@volley/client';
import { createClient } from '@volley/client/internal';
import { UsageError } from './usage-error.js';

/** Flags every command that talks to a server accepts. */
export const CLIENT_FLAGS = {
  timeout: { type: 'string' },
  udp: { type: 'boolean' },
  tcp: { type: 'boolean' },
  tls: { type: 'boolean' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  servername: { type: 'string' },
  metadata: { type: 'string', multiple: true, short: 'm' },
  auth: { type: 'string' },
  'max-datagram': { type: 'string' },
  'dns-server': { type: 'string', multiple: true },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Help text for {@link CLIENT_FLAGS}, shared by every command's `--help`. */
export const CLIENT_FLAGS_HELP = `Connection flags:
  --timeout <ms>          give up on a call after this long (default 5000)
  --udp | --tcp | --tls   transport for a URL without a scheme (host:port); default udp
  --ca <file>             PEM CA bundle trusted for the server's certificate (tls)
  --cert <file> --key <file>  client certificate and key, for mTLS (tls)
  --servername <name>     name the server's certificate must carry (tls; default: the host)
  -m, --metadata <k=v>    application metadata sent with the call (repeatable)
  --auth <token>          credentials for the server's auth middleware
  --max-datagram <bytes>  largest UDP datagram to send (default 1200)
  --dns-server <ip[:port]>  DNS server for names in the URL (repeatable; default the system's)

The target is a URL (udp://host:port, tcp://, tls://, unix:///path), host:port, or several
separated by commas. A host name is resolved to every address it has and the calls are balanced
over them; udp+srv://_svc._udp.domain (also tcp+srv, tls+srv) reads the instances from SRV records.`;

/** The parsed values of {@link CLIENT_FLAGS}. */
export interface ClientFlagValues {
  timeout?: string | undefined;
  udp?: boolean | undefined;
  tcp?: boolean | undefined;
  tls?: boolean | undefined;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  servername?: string | undefined;
  metadata?: string[] | undefined;
  auth?: string | undefined;
  'max-datagram'?: string | undefined;
  'dns-server'?: string[] | undefined;
}

/** Default call timeout of the CLI: short, because a person is waiting. */
export const DEFAULT_CLI_TIMEOUT_MS = 5000;

/** A client for `target` built from the flags, with the call timeout to use. */
export interface FlagClient {
  readonly client: ClientMethods;
  /** The target as resolved, several URLs joined by commas. */
  readonly url: string;
  readonly timeoutMs: number;
}

/**
 * Resolves the target to Volley URLs: each comma-separated part a full URL as given, or
 * `host:port` with the transport flag (udp by default, as the demo services listen on both). A
 * transport flag that contradicts a URL's scheme is a usage error, not a silent choice.
 */
export function resolveUrls(target: string, values: ClientFlagValues): string[] {
  const chosen = (['udp', 'tcp', 'tls'] as const).filter((t) => values[t] === true);
  if (chosen.length > 1) throw new UsageError(`Choose one of --${chosen.join(', --')}`);
  const parts = target.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw new UsageError(`"${target}" has an empty part between commas`);
  return parts.map((part) => resolveOne(part, chosen[0]));
}

/** One part of the target, as {@link resolveUrls} reads it. */
function resolveOne(target: string, chosen: 'udp' | 'tcp' | 'tls' | undefined): string {
  const scheme = /^([a-z+]+):\/\//.exec(target)?.[1];
  if (scheme === undefined) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[^:/\s]+):\d+$/.test(target))
      throw new UsageError(`"${target}" is neither a URL (udp://host:port) nor host:port`);
    return `${chosen ?? 'udp'}://${target}`;
  }
  if (chosen !== undefined && chosen !== scheme.replace(/\+srv$/, ''))
    throw new UsageError(`--${chosen} contradicts the URL's scheme ${scheme}://`);
  return target;
}

/** Parses a positive integer flag, or throws a usage error naming it. */
export function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

/** The URL and client options the flags describe. Throws UsageError for bad flags or URLs. */
export function clientOptionsFromFlags(
  target: string,
  values: ClientFlagValues,
  extra: ClientOptions = {},
): { url: string; targets: string[]; options: ClientOptions; timeoutMs: number } {
  const targets = resolveUrls(target, values);
  const url = targets.join(',');
  const timeoutMs = positiveInt('timeout', values.timeout, DEFAULT_CLI_TIMEOUT_MS);
  const options: ClientOptions = { ...extra, timeoutMs, connectTimeoutMs: timeoutMs };
  const tls = targets.filter((one) => /^tls(\+srv)?:\/\//.test(one)).length;
  if (tls > 0 && tls < targets.length) throw new UsageError('Mixing tls:// with other transports in one target');
  const tlsFlags = values.ca ?? values.cert ?? values.key ?? values.servername;
  if (tlsFlags !== undefined && tls === 0)
    throw new UsageError('--ca, --cert, --key and --servername need a tls:// URL (or --tls)');
  if (tls > 0) {
    if ((values.cert === undefined) !== (values.key === undefined))
      throw new UsageError('--cert and --key go together');
    options.tls = {
      ...(values.ca !== undefined && { ca: readFlagFile('ca', values.ca) }),
      ...(values.cert !== undefined && { cert: readFlagFile('cert', values.cert) }),
      ...(values.key !== undefined && { key: readFlagFile('key', values.key) }),
      ...(values.servername !== undefined && { servername: values.servername }),
    };
  }
  if (values.metadata !== undefined) options.metadata = parseMetadata(values.metadata);
  if (values.auth !== undefined) options.auth = values.auth;
  if (values['max-datagram'] !== undefined)
    options.maxDatagramBytes = positiveInt('max-datagram', values['max-datagram'], 1200);
  if (values['dns-server'] !== undefined) options.dns = { servers: values['dns-server'] };
  return { url, targets, options, timeoutMs };
}

/** Builds the client the flags describe. Throws UsageError for bad flags or URLs. */
export function clientFromFlags(target: string, values: ClientFlagValues, extra: ClientOptions = {}): FlagClient {
  const { url, targets, options, timeoutMs } = clientOptionsFromFlags(target, values, extra);
  let client: ClientMethods;
  try {
    client = createClient(targets.length === 1 ? (targets[0] as string) : targets, options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { client, url, timeoutMs };
}

function parseMetadata(pairs: string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--metadata wants key=value, got "${pair}"`);
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return metadata;
}

function readFlagFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(
      `--${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
