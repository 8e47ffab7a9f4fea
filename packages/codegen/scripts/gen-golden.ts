/**
 * Regenerates the golden stubs (`npm run gen:golden -w @volley/codegen`). With `--print`, writes
 * nothing and prints `{ [file]: source }` as JSON instead, for the test that compares them.
 * Runs under `node --conditions=@volley/source --import tsx` so the router modules import the
 * workspace's TypeScript sources.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateClientSource, loadManifestFromModule } from '../src/index.js';
import { GOLDENS } from '../test/goldens.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const print = process.argv.includes('--print');

const sources: Record<string, string> = {};
for (const golden of GOLDENS) {
  const manifest = await loadManifestFromModule(join(ROOT, golden.module), golden.exportName);
  sources[golden.file] = await generateClientSource(manifest, { source: golden.module });
}
if (print) {
  process.stdout.write(JSON.stringify(sources));
} else {
  for (const [file, source] of Object.entries(sources)) {
    await writeFile(join(ROOT, file), source);
    console.log(`wrote ${file}`);
  }
}
