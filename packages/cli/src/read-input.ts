import { readFile } from 'node:fs/promises';
import type { CliIo } from './io.js';
import { UsageError } from './usage-error.js';

/**
 * The call input from the command line, as curl takes a body: inline JSON, `@file` for a JSON
 * file, `-` for stdin. No argument means the procedure takes no input.
 */
export async function readInput(argument: string | undefined, io: CliIo): Promise<unknown> {
  if (argument === undefined) return undefined;
  let text: string;
  let where: string;
  if (argument === '-') {
    text = await io.readStdin();
    where = 'stdin';
  } else if (argument.startsWith('@')) {
    where = argument.slice(1);
    try {
      text = await readFile(where, 'utf8');
    } catch (error) {
      throw new UsageError(
        `Cannot read input file ${where}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  } else {
    text = argument;
    where = '';
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Input${where === '' ? '' : ` in ${where}`} is not valid JSON: ${(error as Error).message}`);
  }
}
