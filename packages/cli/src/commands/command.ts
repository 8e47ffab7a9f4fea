import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from '../io.js';

/** The options table of one command, in `node:util` parseArgs form. */
export type FlagTable = NonNullable<ParseArgsConfig['options']>;

/** What a command's `run` receives: parsed flags, positionals, and where to write. */
export interface CommandArgs {
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  readonly positionals: readonly string[];
  readonly io: CliIo;
}

/** One `volley <name>` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `volley --help`. */
  readonly summary: string;
  /** The whole `volley <name> --help`: usage, flags, examples. */
  readonly help: string;
  /** Flags beyond `--help`. */
  readonly flags: FlagTable;
  /** Resolves with the exit code; throws UsageError for bad arguments, RpcError for a failed call. */
  run(args: CommandArgs): Promise<number>;
}
