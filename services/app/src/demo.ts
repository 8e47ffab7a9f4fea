/**
 * `npm run demo`: starts echo and kv in this process, then tours them with a real client over
 * UDP and then TCP: valid calls, a validation error, a timeout and a cancellation. Exits 0 when
 * every step behaved as expected, 1 otherwise.
 */
import { createClient, isRpcError, type VolleyClient } from '@volley/client';
import { createServer } from '@volley/server';
import { pino } from 'pino';
import { type AppRouter, createAppRouter } from './app-router.js';

const server = createServer({ router: createAppRouter(), logger: pino({ level: process.env.LOG_LEVEL ?? 'error' }) });
const bound = await server.listen({ udp: { host: '127.0.0.1', port: 0 }, tcp: { host: '127.0.0.1', port: 0 } });
let failures = 0;

function show(step: string, outcome: string): void {
  console.log(`  ${step.padEnd(44)} ${outcome}`);
}

async function expectOk<T>(step: string, run: () => Promise<T>): Promise<void> {
  try {
    show(step, `→ ${JSON.stringify(await run())}`);
  } catch (error) {
    failures++;
    show(step, `✗ unexpected ${isRpcError(error) ? error.code : 'error'}: ${(error as Error).message}`);
  }
}

async function expectError(step: string, code: string, run: () => Promise<unknown>): Promise<void> {
  try {
    const value = await run();
    failures++;
    show(step, `✗ expected ${code}, got ${JSON.stringify(value)}`);
  } catch (error) {
    if (isRpcError(error) && error.code === code) {
      const detail = error.code === 'BAD_REQUEST' ? ` ${JSON.stringify(error.data)}` : '';
      show(
        step,
        `→ ${error.code} (${error.notExecuted ? 'not executed' : 'may have executed'}): ${error.message}${detail}`,
      );
    } else {
      failures++;
      show(step, `✗ expected ${code}, got ${isRpcError(error) ? error.code : String(error)}`);
    }
  }
}

async function tour(client: VolleyClient<AppRouter>): Promise<void> {
  await expectOk('echo.ping()', () => client.echo.ping());
  await expectOk("echo.echo({ message: 'hello' })", () => client.echo.echo({ message: 'hello' }));
  await expectOk('echo.add({ a: 2, b: 40 })', () => client.echo.add({ a: 2, b: 40 }));
  await expectOk("kv.set({ key: 'greeting', value: 'hi' })", () => client.kv.set({ key: 'greeting', value: 'hi' }));
  await expectOk("kv.get({ key: 'greeting' })", () => client.kv.get({ key: 'greeting' }));
  await expectOk("kv.list({ prefix: 'gr' })", () => client.kv.list({ prefix: 'gr' }));
  await expectOk('64 concurrent echo.add calls', async () => {
    const sums = await Promise.all(Array.from({ length: 64 }, (_, i) => client.echo.add({ a: i, b: i })));
    return { allCorrect: sums.every((r, i) => r.sum === 2 * i) };
  });
  await expectError("echo.add({ a: 'two', b: 40 })", 'BAD_REQUEST', () =>
    client.echo.add({ a: 'two' as unknown as number, b: 40 }),
  );
  await expectError("call('echo.nope')", 'NOT_FOUND', () => client.call('echo.nope', {}));
  await expectError('echo.slow({ ms: 2000 }), timeoutMs 100', 'DEADLINE_EXCEEDED', () =>
    client.echo.slow({ ms: 2000 }, { timeoutMs: 100 }),
  );
  await expectError('echo.slow({ ms: 2000 }), cancelled at 50 ms', 'CANCELLED', () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    return client.echo.slow({ ms: 2000 }, { signal: controller.signal });
  });
}

for (const url of [`udp://127.0.0.1:${bound.udp?.port}`, `tcp://127.0.0.1:${bound.tcp?.port}`]) {
  console.log(`\n${url}`);
  const client = createClient<AppRouter>(url);
  await tour(client);
  await client.close();
}

await server.close();
const stats = server.stats;
console.log(
  `\nserver: ${stats.calls} calls, ${stats.failedCalls} failed as intended, ${stats.cancelled} cancelled, ${stats.deadlineExceeded} past deadline`,
);
console.log(
  failures === 0
    ? 'demo finished: every step behaved as expected'
    : `demo finished with ${failures} unexpected outcome(s)`,
);
process.exit(failures === 0 ? 0 : 1);
