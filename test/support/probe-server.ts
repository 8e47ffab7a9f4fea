import { createProbe, createTestRouter, type Probe } from './probe-router.js';
import type { Resources } from './resources.js';
import { startTestServer, type TestServer } from './test-server.js';

/** A test server on loopback (UDP and TCP) serving the test router with a fresh probe, closed with `open`. */
export async function startProbeServer(open: Resources): Promise<{ app: TestServer; probe: Probe }> {
  const probe = createProbe();
  const app = open.track(await startTestServer({ router: createTestRouter(probe) }));
  return { app, probe };
}
