/**
 * How long the built CLI takes to start and answer, beside `node -e 0` (the floor: Node's own
 * start). Each command runs as its own process, as a user's shell runs it, from the built package
 * (`packages/cli/dist/main.js`, what `npm install -g volley` gives), against a real echo server in
 * this process on loopback. Rounds interleave the commands so a noisy moment hits all of them.
 *
 *   npm run build && node --conditions=@volley/source --import tsx bench/src/micro/cli-startup.ts [rounds]
 *
 * Prints the median, min and max wall time per command and its ratio to `node -e 0`, and whether
 * it meets issue 14's target (`health`, `call`, `describe` within 0.3 s). A benchmark, not a test:
 * nothing here fails on a slow machine.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createServer } from '@volley/server';
import { echoRouter } from '@volley/service-echo';
import { pino } from 'pino';

const ROUNDS = Number(process.argv[2] ?? 15);
const TARGET_SECONDS = 0.3;
const CLI_MAIN = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));
const CLI_SOURCE_MAIN = fileURLToPath(new URL('../../../packages/cli/src/main.ts', import.meta.url));

if (!existsSync(CLI_MAIN) || statSync(CLI_MAIN).mtimeMs < statSync(CLI_SOURCE_MAIN).mtimeMs) {
  process.stderr.write(`No fresh build at ${CLI_MAIN}: run npm run build first.\n`);
  process.exit(2);
}

const server = createServer({ router: echoRouter, logger: pino({ level: 'silent' }) });
const bound = await server.listen({ udp: { host: '127.0.0.1', port: 0 }, tcp: { host: '127.0.0.1', port: 0 } });
const udp = `udp://127.0.0.1:${bound.udp?.port}`;

/** What is timed: a name, the argv after `node`, and whether it is held to the target. */
const COMMANDS: ReadonlyArray<{ name: string; argv: string[]; target: boolean }> = [
  { name: 'node -e 0', argv: ['-e', '0'], target: false },
  { name: 'volley --version', argv: [CLI_MAIN, '--version'], target: false },
  { name: 'volley health (udp)', argv: [CLI_MAIN, 'health', udp], target: true },
  { name: 'volley call echo.add (udp)', argv: [CLI_MAIN, 'call', udp, 'add', '{"a":1,"b":2}'], target: true },
  { name: 'volley describe (udp)', argv: [CLI_MAIN, 'describe', udp], target: true },
];

/** Wall time of one process from spawn to exit, in seconds; a non-zero exit is an error. */
function timeOnce(argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve((performance.now() - startedAt) / 1000);
      else reject(new Error(`node ${argv.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}

const samples = new Map<string, number[]>(COMMANDS.map((command) => [command.name, []]));
try {
  // One untimed round first: the page cache and the server's JIT warm, as for a user's second run.
  for (const command of COMMANDS) await timeOnce(command.argv);
  for (let round = 0; round < ROUNDS; round++) {
    for (const command of COMMANDS) samples.get(command.name)?.push(await timeOnce(command.argv));
  }
} finally {
  await server.close({ graceMs: 0 });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const floor = median(samples.get('node -e 0') ?? []);
process.stdout.write(`CLI start-up, built package, ${ROUNDS} rounds (node ${process.version}):\n\n`);
process.stdout.write('| command | median | min–max | × node -e 0 | target ≤ 0.3 s |\n|---|---|---|---|---|\n');
for (const command of COMMANDS) {
  const values = samples.get(command.name) ?? [];
  const m = median(values);
  const verdict = command.target ? (m <= TARGET_SECONDS ? 'met' : 'MISSED') : '';
  process.stdout.write(
    `| \`${command.name}\` | ${m.toFixed(3)} s | ${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)} s | ${(m / floor).toFixed(2)}× | ${verdict} |\n`,
  );
}
