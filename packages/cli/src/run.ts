import { parseArgs } from 'node:util';
import { createClient, isRpcError } from '@volley/client';

/** Where the CLI writes; injectable so tests can capture output. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const USAGE = `volley — call Volley services from the terminal

Usage:
  volley call <url> <procedure> [json-input] [--timeout <ms>] [--max-datagram <bytes>]

URLs: udp://host:port  tcp://host:port  unix:///path/to.sock
Example:
  volley call udp://127.0.0.1:4000 echo.add '{"a":1,"b":2}'

Exit codes: 0 success, 1 the call failed (the error code is printed), 2 usage error.`;

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    io.out(USAGE);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  const [command, url, procedure, json] = positionals;
  if (command !== 'call' || url === undefined || procedure === undefined) {
    io.err(`Unknown or incomplete command: ${positionals.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  let input: unknown;
  try {
    input = json === undefined ? undefined : JSON.parse(json);
  } catch (error) {
    io.err(`Input is not valid JSON: ${(error as Error).message}`);
    return 2;
  }
  let client: ReturnType<typeof createClient>;
  try {
    client = createClient(url, values['max-datagram'] ? { maxDatagramBytes: Number(values['max-datagram']) } : {});
  } catch (error) {
    io.err((error as Error).message);
    return 2;
  }
  try {
    const result = await client.call(procedure, input, { timeoutMs: Number(values.timeout) });
    io.out(toJson(result));
    return 0;
  } catch (error) {
    if (!isRpcError(error)) throw error;
    io.err(`${error.code}: ${error.message}${error.data === undefined ? '' : `\n${toJson(error.data)}`}`);
    return 1;
  } finally {
    await client.close();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      timeout: { type: 'string', default: '5000' },
      'max-datagram': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** JSON with BigInts as strings and bytes as hex, so every MessagePack value prints. */
function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v),
    2,
  );
}
