import { DESCRIBE_PROCEDURE, RpcError, type ServiceManifest } from '@volley/wire';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, clientFromFlags } from '../client-flags.js';
import { didYouMean } from '../closest.js';
import { EXIT } from '../exit-codes.js';
import { formatJson } from '../json-output.js';
import { readInput } from '../read-input.js';
import { UsageError } from '../usage-error.js';
import type { Command } from './command.js';

export const callCommand: Command = {
  name: 'call',
  summary: 'call a procedure and print its result as JSON',
  help: `volley call — call one procedure and print the result as JSON

Usage: volley call <url> <procedure> [json | @file | -] [flags]

The result goes to stdout as JSON (indented on a terminal, one line in a pipe). A failed call
prints "CODE: message" and the error's data to stderr and exits with the code's number
(10 BAD_REQUEST … 20 INTERNAL; see 'volley --help' and docs/cli.md).

Input: inline JSON, @file to read a JSON file, - to read stdin; omit it for procedures that
take no input.

Ctrl-C cancels the call: the server is sent a cancel (over UDP as over TCP), so its handler
stops, and volley exits 130. A second Ctrl-C exits at once.

${CLIENT_FLAGS_HELP}

Examples:
  volley call udp://127.0.0.1:4000 echo.add '{"a":1,"b":2}'
  volley call 127.0.0.1:4000 kv.set @entry.json --tcp
  echo '{"key":"greeting"}' | volley call tcp://127.0.0.1:4000 kv.get -
  volley call tls://api.internal:4443 kv.get '{"key":"a"}' --ca ca.pem -m tenant=blue`,
  flags: CLIENT_FLAGS,
  async run({ values, positionals, io }) {
    const [target, procedure, json, ...extra] = positionals;
    if (target === undefined || procedure === undefined) throw new UsageError('Needs <url> and <procedure>');
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}" (quote JSON input as one argument)`);
    const input = await readInput(json, io);
    const { client, timeoutMs } = clientFromFlags(target, values);
    // Ctrl-C cancels the call rather than killing the process: the client sends the server a
    // cancel (over UDP nothing else would tell it; over TCP the closing connection would, later),
    // so the handler's signal fires. A second Ctrl-C, with this listener gone, kills as usual.
    const interrupt = new AbortController();
    const onInterrupt = (): void => interrupt.abort();
    process.once('SIGINT', onInterrupt);
    try {
      const result = await client.call(procedure, input, { timeoutMs, signal: interrupt.signal });
      io.out(formatJson(result, io.stdoutIsTTY));
      return EXIT.ok;
    } catch (error) {
      if (interrupt.signal.aborted && error instanceof RpcError && error.code === 'CANCELLED') {
        io.err(
          `Interrupted: ${error.notExecuted ? 'the call was not sent' : `sent the server a cancel for "${procedure}"`}.`,
        );
        return EXIT.interrupted;
      }
      throw error instanceof RpcError && error.code === 'NOT_FOUND'
        ? await withSuggestions(error, procedure, (name) => client.call(name, undefined, { timeoutMs }))
        : error;
    } finally {
      process.off('SIGINT', onInterrupt);
      await client.close();
    }
  },
};

/**
 * A NOT_FOUND for a procedure the service does not have gains the nearest names from its
 * `$describe` ("Did you mean kv.get?"). A NOT_FOUND the handler raised (the procedure exists),
 * or a service without reflection, keeps the error as it was.
 */
async function withSuggestions(
  error: RpcError,
  procedure: string,
  call: (name: string) => Promise<unknown>,
): Promise<RpcError> {
  let names: string[];
  try {
    const manifest = (await call(DESCRIBE_PROCEDURE)) as ServiceManifest;
    names = manifest.procedures.map((p) => p.name);
  } catch {
    return error;
  }
  const hint = names.includes(procedure) ? '' : didYouMean(procedure, names);
  return hint === ''
    ? error
    : new RpcError('NOT_FOUND', `${error.message}.${hint}`, { data: error.data, cause: error });
}
