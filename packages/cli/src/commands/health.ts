import { HEALTH_PROCEDURE, type HealthReport } from '@volley/wire';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, clientFromFlags } from '../client-flags.js';
import { EXIT } from '../exit-codes.js';
import { formatUptime } from '../format-uptime.js';
import { formatJson } from '../json-output.js';
import { UsageError } from '../usage-error.js';
import type { Command } from './command.js';

export const healthCommand: Command = {
  name: 'health',
  summary: 'check that a server is serving (exit 0 only then)',
  help: `volley health — ask a server whether it is serving ($health)

Usage: volley health <url> [--json] [flags]

Exits 0 only when the server answers "serving"; 1 when it answers "draining" (shutting down);
a call error's code when it cannot be asked (16 UNAVAILABLE, 17 DEADLINE_EXCEEDED, 11 NOT_FOUND
when health is turned off). For probes and scripts: volley health … --timeout 1000 || restart.

${CLIENT_FLAGS_HELP}

Examples:
  volley health udp://127.0.0.1:4000
  volley health 127.0.0.1:4000 --tcp --json`,
  flags: { ...CLIENT_FLAGS, json: { type: 'boolean' } },
  async run({ values, positionals, io }) {
    const [target, ...extra] = positionals;
    if (target === undefined) throw new UsageError('Needs <url>');
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
    const { client, timeoutMs } = clientFromFlags(target, values);
    let report: HealthReport;
    try {
      report = (await client.call(HEALTH_PROCEDURE, undefined, { timeoutMs })) as HealthReport;
    } finally {
      await client.close();
    }
    if (values.json) io.out(formatJson(report, io.stdoutIsTTY));
    else
      io.out(
        `${report.status} · up ${formatUptime(report.uptimeMs)} · ${report.inFlight} call${report.inFlight === 1 ? '' : 's'} in flight · protocol ${report.protocol}${report.worker ? ` · worker ${report.worker.id} of ${report.worker.count}` : ''}`,
      );
    return report.status === 'serving' ? EXIT.ok : EXIT.failed;
  },
};
