/** Runs the echo service alone: `npm start -w @volley/service-echo` (PORT, HOST, LOG_LEVEL from env). */
import { createServer } from '@volley/server';
import { pino } from 'pino';
import { echoRouter } from './router.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 4001);
const server = createServer({ router: echoRouter, logger, service: { name: 'echo', version: '0.1.0' } });
try {
  await server.listen({ udp: { host, port }, tcp: { host, port } });
} catch (error) {
  // A port in use or a bad HOST: the ListenError's one line, not a stack trace.
  await server.close({ graceMs: 0 });
  console.error(`echo: ${(error as Error).message}`);
  process.exit(1);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void server.close().then(() => process.exit(0)));
