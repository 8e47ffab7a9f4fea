import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { serverMetrics } from '@volley/server';
import { METRICS_SCRAPE_INTERVAL_MS } from '../../constants.js';
import type { ServerModule } from '../system.js';
import { startVolleyServer } from './volley-server.js';

/**
 * The `volley-tcp-metrics` server module: `volley-tcp` with its metrics read as a Prometheus
 * scrape would read them (`serverMetrics()` through OpenTelemetry's PrometheusExporter on a
 * MeterProvider, serialised to text), in-process every second, so its CPU per call includes
 * them. Its client (volley-tcp-metrics-client.ts) does the same with `clientMetrics()`. Issue
 * 17's budget: within 10 % of `volley-tcp` on `add ×64`.
 */
export const startServer: ServerModule['startServer'] = async ({ host }) => {
  const volley = await startVolleyServer({ tcp: { host, port: 0 } });
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [serverMetrics(volley.server)],
  });
  const provider = new MeterProvider({ readers: [exporter] });
  const serializer = new PrometheusSerializer();
  const scrape = setInterval(() => {
    void exporter.collect().then(({ resourceMetrics }) => serializer.serialize(resourceMetrics));
  }, METRICS_SCRAPE_INTERVAL_MS);
  return {
    address: { host, port: volley.bound.tcp?.port ?? 0 },
    async close() {
      clearInterval(scrape);
      await provider.shutdown();
      await volley.close();
    },
  };
};
