/**
 * `server.stats` counts what happens to stream connections, for the metrics
 * (`volley.server.connections`, `.connections.refused`, `.goaways`): connections open now,
 * connections refused by a transport's `maxConnections`, and the goaway each open connection is
 * sent when the server drains.
 */
import { connect } from 'node:net';
import { createClient } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { afterEach, expect, it } from 'vitest';
import { Resources, startTestServer, waitFor } from '../support/index.js';

const open = new Resources();
afterEach(() => open.closeAll());

it('counts open and refused connections, and one goaway per connection open at the drain', async () => {
  const app = open.track(await startTestServer({ tcp: { maxConnections: 1 } }));
  const { server } = app;
  const client = open.track(createClient<AppRouter>(app.tcpUrl));
  expect(await client.echo.add({ a: 1, b: 2 })).toEqual({ sum: 3 });
  expect(server.stats.connectionsOpen).toBe(1);

  const refused = connect({ host: '127.0.0.1', port: app.tcpPort });
  open.track({ close: () => void refused.destroy() });
  refused.on('error', () => {});
  await waitFor(() => server.stats.connectionsRefused === 1, { what: 'the second connection to be refused' });

  await server.close();
  expect(server.stats).toMatchObject({
    goawaysSent: 1,
    connectionsOpen: 0,
    connectionsRefused: 1,
    handshakeTimeouts: 0,
  });
});
