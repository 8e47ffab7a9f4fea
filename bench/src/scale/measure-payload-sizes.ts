import type { EchoRunOptions, EchoRunResult, EchoSystem } from './echo-throughput.js';
import type { PayloadSizeResult } from './scale-results.js';
import { forkScaleClient, forkScaleServer } from './scale-workers.js';
import { startOne, stopAll, type WorkerProcess } from './worker-process.js';

/** The sizes: 64 B, 1 KiB, 16 KiB, 256 KiB, 1 MiB. */
export const PAYLOAD_SIZES_BYTES: readonly number[] = [64, 1024, 16 * 1024, 256 * 1024, 1024 * 1024];
/** Calls in flight on the one connection, as the brief of issue 6 asks. */
const OUTSTANDING = 16;
const SYSTEMS: readonly EchoSystem[] = ['raw', 'volley'];

/** How long each size runs per system. */
export interface PayloadTiming {
  warmupMs: number;
  durationMs: number;
}

/**
 * Echo calls/s against payload size over TCP: a server child and a client child per system, the
 * client keeping one connection for all sizes. Systems alternate within each size, so a drift of
 * the machine over the run hits both alike. A run that fails is recorded in its row and the
 * sweep goes on.
 */
export async function measurePayloadSizes(
  timing: PayloadTiming,
  log: (line: string) => void,
): Promise<PayloadSizeResult[]> {
  const workers: WorkerProcess<unknown>[] = [];
  try {
    const runners: { system: EchoSystem; port: number; client: WorkerProcess<unknown> }[] = [];
    for (const system of SYSTEMS) {
      const server = await startOne(forkScaleServer(system, { exposeGc: false }), workers);
      runners.push({ system, port: server.ready.tcp, client: await startOne(forkScaleClient(), workers) });
    }
    const results: PayloadSizeResult[] = [];
    for (const sizeBytes of PAYLOAD_SIZES_BYTES) {
      // 16 × 1 MiB once deadlocked Volley TCP (both ends stopped reading while their writes were
      // backed up); fixed in the transport, test/connections/large-payload-flow.test.ts guards it.
      const outstanding = OUTSTANDING;
      const row: PayloadSizeResult = {
        sizeBytes,
        outstanding,
        durationMs: timing.durationMs,
        rawCallsPerSecond: null,
        volleyCallsPerSecond: null,
        failures: [],
      };
      for (const { system, port, client } of runners) {
        const options: EchoRunOptions = { system, port, sizeBytes, outstanding, ...timing };
        try {
          const run = await client.call<EchoRunResult>('echo', options);
          log(`  echo ${sizeBytes} B x${outstanding} ${system}: ${Math.round(run.callsPerSecond)} calls/s`);
          row[system === 'raw' ? 'rawCallsPerSecond' : 'volleyCallsPerSecond'] = run.callsPerSecond;
        } catch (error) {
          // Keep going with the other sizes, on a fresh connection: this one may be stuck.
          const message = error instanceof Error ? error.message : String(error);
          log(`  echo ${sizeBytes} B x${outstanding} ${system} failed: ${message}`);
          row.failures.push(`${system}: ${message.split('\n', 1)[0]}`);
          await client.call('closeEcho');
        }
      }
      results.push(row);
    }
    return results;
  } finally {
    await stopAll(workers);
  }
}
