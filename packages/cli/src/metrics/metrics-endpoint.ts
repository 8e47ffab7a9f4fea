import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, type MetricProducer } from '@opentelemetry/sdk-metrics';
import type { MetricsAddress } from './metrics-address.js';

/** The path Prometheus scrapes: the exporter's default and every Prometheus example's. */
export const METRICS_PATH = '/metrics';

/** Prometheus's text exposition format, as its content negotiation names it (PrometheusText0.0.4). */
const PROMETHEUS_TEXT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A Prometheus endpoint serving, until closed. */
export interface MetricsEndpoint {
  /** `http://127.0.0.1:9464/metrics`, the port resolved. */
  readonly url: string;
  close(): Promise<void>;
}

/** Why in words, as `volley serve` says it for its own ports. */
const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use (EADDRINUSE)',
  EADDRNOTAVAIL: 'no interface has that address (EADDRNOTAVAIL)',
  EACCES: 'permission denied (EACCES; ports below 1024 need privileges)',
};

/**
 * Serves `producers` in Prometheus's text format at `http://host:port/metrics`: OpenTelemetry's
 * PrometheusExporter as the reader of a MeterProvider, behind an HTTP server of ours rather than
 * the exporter's own (which takes port 0 for its default 9464 and reports a failed bind only to
 * a callback), so port 0 works and a port in use rejects here with one line. Each scrape
 * collects the producers afresh. Other code may add instruments to the provider's meters.
 * @example
 * const endpoint = await startMetricsEndpoint([serverMetrics(server)], { host: '127.0.0.1', port: 9464 });
 */
export async function startMetricsEndpoint(
  producers: MetricProducer[],
  address: MetricsAddress,
): Promise<MetricsEndpoint> {
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: producers });
  const provider = new MeterProvider({ readers: [exporter] });
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' || path !== METRICS_PATH) {
      response.writeHead(404).end();
      return;
    }
    exporter.getMetricsRequestHandler(request, response);
    // The exporter says `text/plain` without the format's version; Prometheus 3 refuses a scrape
    // whose type it cannot tell (unless configured with a fallback). Set before the body is sent.
    response.setHeader('content-type', PROMETHEUS_TEXT_TYPE);
  });
  try {
    await listen(http, address);
  } catch (error) {
    await provider.shutdown();
    const code = (error as NodeJS.ErrnoException).code;
    const reason = (code !== undefined && REASONS[code]) || (error as Error).message;
    throw new Error(`cannot listen on metrics ${hostPort(address.host, address.port)}: ${reason}`, { cause: error });
  }
  const { port } = http.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostPort(address.host, port)}${METRICS_PATH}`,
    close() {
      closing ??= Promise.all([
        new Promise<void>((resolve) => {
          http.close(() => resolve());
          // A scraper keeps its connection alive between scrapes: do not wait for it.
          http.closeAllConnections();
        }),
        provider.shutdown(),
      ]).then(() => {});
      return closing;
    },
  };
}

function listen(http: HttpServer, { host, port }: MetricsAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host, port }, () => {
      http.off('error', reject);
      resolve();
    });
  });
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
