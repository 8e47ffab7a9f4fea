/**
 * A load-generating child of the scale suite. Commands (worker-process.ts):
 * - `open {port, protocol, count, concurrency}`: opens idle TCP connections, one call each;
 * - `closeAll`: closes them;
 * - `udp {port, procedure, count, inFlight, deadlineMs}`: UDP calls from distinct client ids;
 * - `echo {system, port, sizeBytes, outstanding, warmupMs, durationMs}`: a closed-loop echo run.
 */
import type { Socket } from 'node:net';
import { closeEchoClients, type EchoRunOptions, runEcho } from './echo-throughput.js';
import { closeAll, type OpenIdleConnectionsOptions, openIdleConnections } from './idle-connections-client.js';
import { callAsDistinctClients, type DistinctClientsOptions } from './udp-clients.js';
import { serveCommands } from './worker-process.js';

const sockets: Socket[] = [];

serveCommands(
  { pid: process.pid },
  {
    async open(options: OpenIdleConnectionsOptions) {
      const started = performance.now();
      await openIdleConnections(options, sockets);
      return { open: sockets.length, elapsedMs: performance.now() - started };
    },
    closeAll() {
      closeAll(sockets);
      return null;
    },
    udp: (options: DistinctClientsOptions) => callAsDistinctClients(options),
    echo: (options: EchoRunOptions) => runEcho(options),
    async closeEcho() {
      await closeEchoClients();
      return null;
    },
  },
);
