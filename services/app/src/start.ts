/**
 * `npm start`: serves echo and kv on 127.0.0.1 over UDP and TCP (port 4000 by default) until
 * SIGINT/SIGTERM, then drains in-flight calls and exits.
 *
 *   npm start -- --port 5000 --host ::1      or   PORT=5000 HOST=::1 LOG_LEVEL=debug npm start
 */
import { parseArgs } from 'node:util';
import { createServer } from '@volley/server';
import { pino } from 'pino';
import { createAppRouter } from './app-router.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', short: 'p', default: process.env.PORT ?? '4000' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    'log-level': { type: 'string', default: process.env.LOG_LEVEL ?? 'info' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  process.exit(2);
}

const logger = pino({ level: values['log-level'] });
const server = createServer({ router: createAppRouter(), logger, service: { name: 'demo', version: '0.1.0' } });
const bound = await server.listen({ udp: { host: values.host, port }, tcp: { host: values.host, port } });
logger.info(
  { udp: `udp://${formatHost(values.host)}:${bound.udp?.port}`, tcp: `tcp://${formatHost(values.host)}:${bound.tcp?.port}` },
  'echo and kv are serving; stop with Ctrl-C (drains in-flight calls)',
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1); // a second Ctrl-C skips the drain
    stopping = true;
    logger.info({ signal }, 'draining before exit');
    void server.close().then(() => process.exit(0));
  });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
