import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isRpcError } from '@volley/wire';
import { didYouMean } from './closest.js';
import { benchCommand } from './commands/bench.js';
import { callCommand } from './commands/call.js';
import type { Command } from './commands/command.js';
import { describeCommand } from './commands/describe.js';
import { genCommand } from './commands/gen.js';
import { healthCommand } from './commands/health.js';
import { serveCommand } from './commands/serve.js';
import { statsCommand } from './commands/stats.js';
import { EXIT, exitForError } from './exit-codes.js';
import type { CliIo } from './io.js';
import { formatJson } from './json-output.js';
import { UsageError } from './usage-error.js';

const COMMANDS: readonly Command[] = [
  callCommand,
  describeCommand,
  healthCommand,
  statsCommand,
  benchCommand,
  genCommand,
  serveCommand,
];

const OVERVIEW = `volley — explore, call, load-test, generate clients for and serve Volley services

Usage: volley <command> [arguments] [flags]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)}${c.summary}`).join('\n')}

Run 'volley help <command>' (or 'volley <command> --help') for a command's flags and examples,
'volley --version' for the version.
Exit codes: 0 ok, 1 answered "no" (not serving, failed bench calls), 2 usage error,
3 generation failed, 4 serve could not start, 10–21 a call failed (one code per error;
see docs/cli.md), 130 interrupted by Ctrl-C.

Example:
  volley call udp://127.0.0.1:4000 echo.add '{"a":1,"b":2}'`;

/** Runs the CLI with `argv` (without node and script); resolves with the exit code, never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    io.out(version());
    return EXIT.ok;
  }
  if (name === 'help' && rest[0] !== undefined) return runCli([rest[0], '--help'], io);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(OVERVIEW);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    const names = COMMANDS.map((c) => c.name);
    io.err(
      `volley: unknown command "${name}".${didYouMean(name, names)} Commands: ${names.join(', ')}. Run 'volley --help'.`,
    );
    return EXIT.usage;
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...rest],
      options: { ...command.flags, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(command.help);
      return EXIT.ok;
    }
    return await command.run({ values, positionals, io });
  } catch (error) {
    return report(error, command, io);
  }
}

/** One line per failure, never a stack trace (set VOLLEY_DEBUG=1 for one). */
function report(error: unknown, command: Command, io: CliIo): number {
  if (isRpcError(error)) {
    io.err(
      `${error.code}: ${error.message}${error.data === undefined ? '' : `\n${formatJson(error.data, io.stdoutIsTTY)}`}`,
    );
    return exitForError(error.code);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError || (error as { code?: unknown })?.code?.toString().startsWith('ERR_PARSE_ARGS')) {
    const line = unknownFlagLine(error, command) ?? `${message.split('\n')[0]}.`;
    io.err(`volley ${command.name}: ${line} Run 'volley ${command.name} --help'.`);
    return EXIT.usage;
  }
  io.err(`volley ${command.name}: ${message}`);
  if (process.env.VOLLEY_DEBUG) io.err(String((error as Error)?.stack));
  return EXIT.internal;
}

/** The CLI's own version, from its package.json (one level above both `src/` and `dist/`). */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `volley ${manifest.version}`;
}

/** An unknown option as one short line with the command's nearest flags ("Did you mean --timeout?"). */
function unknownFlagLine(error: unknown, command: Command): string | undefined {
  if ((error as { code?: unknown })?.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return undefined;
  const typed = /'([^']+)'/.exec((error as Error).message)?.[1];
  if (typed === undefined) return undefined;
  return `Unknown flag '${typed}'.${didYouMean(
    typed,
    [...Object.keys(command.flags), 'help'].map((flag) => `--${flag}`),
  )}`;
}
