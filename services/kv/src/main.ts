/**
 * Runs the kv service alone: `npm start -w @volley/service-kv` (PORT, HOST, LOG_LEVEL from env).
 * With KV_TOKENS_FILE set, every call needs a token from that file (see docs/security.md).
 */
import { createServer } from '@volley/server';
import { pino } from 'pino';
import { createKvRouter } from './router.js';
import { KvStore } from './store.js';
import { readTokenFile } from './token-file.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 4002);
const tokenFile = process.env.KV_TOKENS_FILE;
const tokens = tokenFile === undefined ? undefined : readTokenFile(tokenFile);
const server = createServer({
  router: createKvRouter(new KvStore(), tokens && { auth: { tokens } }),
  logger,
  service: { name: 'kv', version: '0.1.0' },
});
try {
  await server.listen({ udp: { host, port }, tcp: { host, port } });
} catch (error) {
  // A port in use or a bad HOST: the ListenError's one line, not a stack trace.
  await server.close({ graceMs: 0 });
  console.error(`kv: ${(error as Error).message}`);
  process.exit(1);
}
logger.info({ auth: tokens === undefined ? 'off' : `${tokens.size} token(s) from ${tokenFile}` }, 'kv is serving');
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void server.close().then(() => process.exit(0)));
