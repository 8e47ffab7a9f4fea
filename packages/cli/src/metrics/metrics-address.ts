import { UsageError } from '../usage-error.js';

/** Where `--metrics` serves without a host: this machine only, as every Volley listener. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** Where the Prometheus endpoint listens. */
export interface MetricsAddress {
  readonly host: string;
  /** 0 picks a free port (the "serving" line then names it). */
  readonly port: number;
}

/**
 * `--metrics <[host:]port>`: `9464`, `0.0.0.0:9464`, `[::1]:9464`. Parsed before anything starts,
 * so a mistake is one usage line and exit 2, not a half-started server.
 */
export function parseMetricsAddress(value: string): MetricsAddress {
  const match = /^(?:(\[[^\]]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (match === null || port > 65_535)
    throw new UsageError(
      `--metrics must be [host:]port, the port from 0 to 65535 (e.g. 9464 or 0.0.0.0:9464), got "${value}"`,
    );
  const host = match[1]?.replace(/^\[(.*)\]$/, '$1') ?? DEFAULT_METRICS_HOST;
  return { host, port };
}
