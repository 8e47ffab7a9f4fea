import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isRpcError, type ServiceManifest } from '@volley/wire';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, type ClientFlagValues, clientOptionsFromFlags } from '../client-flags.js';
import { EXIT } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';
import type { Command } from './command.js';

export const genCommand: Command = {
  name: 'gen',
  summary: 'generate a standalone typed client from a live service or a router module',
  help: `volley gen — generate a typed TypeScript client

Usage: volley gen <url | module> [-o <file>] [--name <Name>] [--export <name>] [flags]

From a live service (its $describe, over UDP or TCP) or from a router module (.ts or .js),
writes one readable TypeScript file: input/output types for every procedure, the procedure
flags, and create<Name>Client(url, options) built on @volley/client. Without -o it prints
the file. The same router gives the same file either way, except for the source line.

  -o, --out <file>     where to write (directories are created)
  --name <Name>        client name (default: the service's name, else "Service")
  --export <name>      the module's export to use: a router, or a function returning one
                       (default: the default export, else the only router exported)

${CLIENT_FLAGS_HELP}

Examples:
  volley gen udp://127.0.0.1:4000 -o src/app-client.ts --name App
  volley gen services/app/src/app-router.ts --export createAppRouter -o app-client.ts`,
  flags: { ...CLIENT_FLAGS, out: { type: 'string', short: 'o' }, name: { type: 'string' }, export: { type: 'string' } },
  async run({ values, positionals, io }) {
    const [source, ...extra] = positionals;
    if (source === undefined) throw new UsageError('Needs <url | module>');
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
    const name = values.name as string | undefined;
    if (name !== undefined && !/^[A-Z][A-Za-z0-9]*$/.test(name))
      throw new UsageError(`--name must be a PascalCase identifier, got "${name}"`);
    let manifest: ServiceManifest;
    try {
      manifest = await loadManifest(source, values, values.export as string | undefined);
    } catch (error) {
      if (isRpcError(error) || error instanceof UsageError) throw error;
      io.err(`volley gen: ${(error as Error).message}`);
      return EXIT.generation;
    }
    // Loaded here, not at the top: codegen (and what it loads) is most of the CLI's start-up time,
    // and only `gen` needs it.
    const { generateClientSource } = await import('@volley/codegen');
    const code = await generateClientSource(manifest, { source, ...(name !== undefined && { name }) });
    const out = values.out as string | undefined;
    if (out === undefined) {
      io.out(code.trimEnd());
      return EXIT.ok;
    }
    try {
      await mkdir(dirname(resolve(out)), { recursive: true });
      await writeFile(out, code);
    } catch (error) {
      io.err(`volley gen: cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return EXIT.generation;
    }
    io.err(`wrote ${out}: ${manifest.procedures.length} procedures`);
    return EXIT.ok;
  },
};

/** A file on disk is a module; anything else must be a URL or host:port. */
async function loadManifest(
  source: string,
  values: ClientFlagValues,
  exportName: string | undefined,
): Promise<ServiceManifest> {
  const { loadManifestFromModule, loadManifestFromUrl } = await import('@volley/codegen');
  if (existsSync(source)) return loadManifestFromModule(resolve(source), exportName);
  if (/\.(m|c)?(t|j)s$/.test(source)) throw new UsageError(`No such module: ${source}`);
  const { targets, options } = clientOptionsFromFlags(source, values);
  return loadManifestFromUrl(targets.length === 1 ? (targets[0] as string) : targets, options);
}
