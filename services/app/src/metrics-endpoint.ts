/**
 * `npm start --metrics [host:]port`: the server's metrics for Prometheus at
 * `http://host:port/metrics`, the way a service of its own would serve them. Volley's part is
 * one line, `serverMetrics(server)`, a MetricProducer; the OpenTelemetry SDK and its Prometheus
 * exporter (the application's dependencies, not Volley's) do the rest. `volley serve --metrics`
 * does the same (packages/cli/src/metrics/metrics-endpoint.ts).
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { type Server, serverMetrics } from '@volley/server';

/** `9464`, `0.0.0.0:9464` or `[::1]:9464` → host (default 127.0.0.1) and port; undefined if malformed. */
export function parseMetricsFlag(value: string): { host: string; port: number } | undefined {
  const match = /^(?:(\[[^\]]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (match === null || port > 65_535) return undefined;
  return { host: match[1]?.replace(/^\[(.*)\]$/, '$1') ?? '127.0.0.1', port };
}

/** Serves `server`'s metrics; resolves with the URL and a close, rejects with one line if it cannot listen. */
export async function serveMetrics(
  server: Server,
  address: { host: string; port: number },
): Promise<{ url: string; close(): Promise<void> }> {
  // The exporter's own HTTP server is not started: it takes port 0 for 9464, and reports a
  // failed bind only to a callback. Ours serves its request handler instead.
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [serverMetrics(server)] });
  const provider = new MeterProvider({ readers: [exporter] });
  const http = createHttpServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    exporter.getMetricsRequestHandler(request, response);
    // The exporter says `text/plain` without the format's version, which Prometheus 3 refuses.
    response.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(address, resolve);
    });
  } catch (error) {
    await provider.shutdown();
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot listen on metrics ${host}:${address.port}: ${reason}`, { cause: error });
  }
  return {
    url: `http://${host}:${(http.address() as AddressInfo).port}/metrics`,
    async close() {
      http.closeAllConnections();
      await Promise.all([new Promise((resolve) => http.close(resolve)), provider.shutdown()]);
    },
  };
}
