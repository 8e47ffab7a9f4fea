/** Runs the kv service alone: `npm start -w @volley/service-kv` (PORT, HOST, LOG_LEVEL from env). */
import { createServer } from '@volley/server';
import { pino } from 'pino';
import { createKvRouter } from './router.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 4002);
const server = createServer({ router: createKvRouter(), logger });
await server.listen({ udp: { host, port }, tcp: { host, port } });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close().then(() => process.exit(0)));
