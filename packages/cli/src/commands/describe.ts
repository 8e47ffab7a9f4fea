import type { ProcedureManifest, ServiceManifest } from '@volley/wire';
import { DESCRIBE_PROCEDURE, RpcError } from '@volley/wire';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, clientFromFlags } from '../client-flags.js';
import { EXIT } from '../exit-codes.js';
import { formatJson } from '../json-output.js';
import { schemaText } from '../schema-text.js';
import { UsageError } from '../usage-error.js';
import type { Command } from './command.js';

export const describeCommand: Command = {
  name: 'describe',
  summary: "list a service's procedures with their input and output",
  help: `volley describe — list a service's procedures (its $describe reflection)

Usage: volley describe <url> [procedure] [--json] [flags]

Lists every procedure with its flags, description, input and output shapes and examples.
With a procedure name, shows only that one, with its full JSON Schemas. --json prints the
manifest exactly as the server sent it.

${CLIENT_FLAGS_HELP}

Examples:
  volley describe udp://127.0.0.1:4000
  volley describe 127.0.0.1:4000 kv.set
  volley describe tcp://127.0.0.1:4000 --json | jq '.procedures[].name'`,
  flags: { ...CLIENT_FLAGS, json: { type: 'boolean' } },
  async run({ values, positionals, io }) {
    const [target, name, ...extra] = positionals;
    if (target === undefined) throw new UsageError('Needs <url>');
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
    const { client, timeoutMs } = clientFromFlags(target, values);
    let manifest: ServiceManifest;
    try {
      manifest = (await client.call(DESCRIBE_PROCEDURE, undefined, { timeoutMs })) as ServiceManifest;
    } catch (error) {
      if (error instanceof RpcError && error.code === 'NOT_FOUND')
        throw new RpcError('NOT_FOUND', `${target} does not answer ${DESCRIBE_PROCEDURE}: reflection is turned off`);
      throw error;
    } finally {
      await client.close();
    }
    if (!Array.isArray(manifest?.procedures))
      throw new RpcError('INTERNAL', `${target} answered ${DESCRIBE_PROCEDURE} with something that is not a manifest`);
    const chosen = name === undefined ? manifest.procedures : manifest.procedures.filter((p) => p.name === name);
    if (name !== undefined && chosen.length === 0) {
      const near = manifest.procedures.filter(
        (p) => p.name.includes(name) || name.includes(p.name.split('.').pop() ?? ''),
      );
      const hint = near.length > 0 ? ` Did you mean ${near.map((p) => p.name).join(', ')}?` : '';
      throw new RpcError('NOT_FOUND', `No procedure named "${name}" on ${target}.${hint}`);
    }
    if (values.json) io.out(formatJson(name === undefined ? manifest : chosen[0], io.stdoutIsTTY));
    else io.out(describeText(manifest, chosen, name !== undefined));
    return EXIT.ok;
  },
};

/** The human-readable listing. */
export function describeText(
  manifest: ServiceManifest,
  procedures: readonly ProcedureManifest[],
  full: boolean,
): string {
  const service =
    manifest.service?.name === undefined
      ? 'service'
      : `${manifest.service.name}${manifest.service.version ? ` ${manifest.service.version}` : ''}`;
  const lines = [
    `${service} · protocol ${manifest.protocol} · ${manifest.procedures.length} procedure${manifest.procedures.length === 1 ? '' : 's'}`,
  ];
  for (const procedure of procedures) {
    const flags = [procedure.idempotent ? 'idempotent' : 'not idempotent'];
    if (procedure.deprecated !== undefined)
      flags.push(procedure.deprecated === true ? 'deprecated' : `deprecated: ${procedure.deprecated}`);
    lines.push('', `${procedure.name}  (${flags.join(', ')})`);
    if (procedure.description !== undefined) lines.push(`  ${procedure.description}`);
    const optional = procedure.inputOptional ? ' (optional)' : '';
    lines.push(`  input:  ${procedure.input === undefined ? 'none' : schemaText(procedure.input)}${optional}`);
    lines.push(`  output: ${schemaText(procedure.output)}`);
    for (const example of procedure.examples ?? []) {
      const call = example.input === undefined ? '()' : formatJson(example.input, false);
      const result = example.output === undefined ? '' : ` → ${formatJson(example.output, false)}`;
      lines.push(`  example${example.title ? ` (${example.title})` : ''}: ${call}${result}`);
    }
    if (full) {
      // `$schema` names the draft (2020-12) on every schema: noise when reading one.
      const { $schema: _in, ...input } = procedure.input ?? {};
      const { $schema: _out, ...output } = procedure.output ?? {};
      if (procedure.input !== undefined) lines.push('  input schema:', indent(formatJson(input, true), 4));
      if (procedure.output !== undefined) lines.push('  output schema:', indent(formatJson(output, true), 4));
    }
  }
  return lines.join('\n');
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}
