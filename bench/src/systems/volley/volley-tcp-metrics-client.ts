import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { clientMetrics } from '@volley/client';
import { METRICS_SCRAPE_INTERVAL_MS } from '../../constants.js';
import { requireHostPort } from '../address.js';
import type { ClientModule } from '../system.js';
import { createVolleyBenchClient } from './volley-client.js';

/**
 * The `volley-tcp-metrics` client module: `volley-tcp`'s client with `clientMetrics()` on every
 * call (durations, request and reply sizes, call events), its producer collected and written out
 * as Prometheus text in the client process as often as the server's, so the row's client CPU per
 * call includes both.
 */
export const connectClient: ClientModule['connectClient'] = async (address) => {
  const { host, port } = requireHostPort(address, 'volley-tcp-metrics');
  const metrics = clientMetrics();
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [metrics.producer] });
  const provider = new MeterProvider({ readers: [exporter] });
  const serializer = new PrometheusSerializer();
  const scrape = setInterval(() => {
    void exporter.collect().then(({ resourceMetrics }) => serializer.serialize(resourceMetrics));
  }, METRICS_SCRAPE_INTERVAL_MS);
  const client = createVolleyBenchClient(`tcp://${host}:${port}`, { interceptors: [metrics.interceptor] });
  return {
    ...client,
    async close() {
      clearInterval(scrape);
      await provider.shutdown();
      await client.close();
    },
  };
};
